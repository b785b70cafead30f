import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  readAllUnprivileged,
  unprivilegedUnavailable,
} from '../__fixtures__/stores/unprivileged.js';
import { KeystoreError } from '../errors.js';
import { secretFilesStore } from './secret-files-store.js';

const CANARY = 'CANARYSECRETfiles0123456789abcdef';
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The layout kubelet produces for a Secret volume: timestamped dir, `..data` link, per-key links. */
async function kubernetesMount(values: Record<string, string>): Promise<void> {
  const version = '..2025_01_31_12_00_00.123456789';
  await mkdir(join(dir, version));
  for (const [name, value] of Object.entries(values)) {
    await writeFile(join(dir, version, name), value);
  }
  await symlink(version, join(dir, '..data'));
  for (const name of Object.keys(values)) {
    await symlink(join('..data', name), join(dir, name));
  }
}

describe('secretFilesStore', () => {
  it('reads one variable per file, trimming one trailing newline (LF or CRLF)', async () => {
    await writeFile(join(dir, 'BYBIT_API_KEY'), 'key-value\n');
    await writeFile(join(dir, 'BYBIT_API_SECRET'), `${CANARY}\r\n`);
    await writeFile(join(dir, 'OKX_API_PASSPHRASE'), 'no-newline');
    await writeFile(join(dir, 'TWO_NEWLINES'), 'value\n\n');
    const store = secretFilesStore(dir);
    expect(Object.fromEntries(await store.readAll())).toEqual({
      BYBIT_API_KEY: 'key-value',
      BYBIT_API_SECRET: CANARY,
      OKX_API_PASSPHRASE: 'no-newline',
      TWO_NEWLINES: 'value\n',
    });
    expect(store).toMatchObject({ kind: 'secret-files', location: dir, readOnly: true });
  });

  it('follows a Kubernetes secret mount and ignores its ..data bookkeeping', async () => {
    await kubernetesMount({ BINANCE_API_KEY: 'k\n', BINANCE_API_SECRET: `${CANARY}\n` });
    const store = secretFilesStore(dir);
    expect(Object.fromEntries(await store.readAll())).toEqual({
      BINANCE_API_KEY: 'k',
      BINANCE_API_SECRET: CANARY,
    });
    expect(await store.list()).toEqual([
      { name: 'BINANCE_API_KEY', rotatedAt: null },
      { name: 'BINANCE_API_SECRET', rotatedAt: null },
    ]);
  });

  it('ignores dotfiles, directories, dangling links, non-variable names and oversized files', async () => {
    await writeFile(join(dir, 'GOOD'), 'yes');
    await writeFile(join(dir, '.hidden'), 'no');
    await writeFile(join(dir, 'bybit-api-key.txt'), 'no');
    await mkdir(join(dir, 'SUBDIR'));
    await writeFile(join(dir, 'SUBDIR', 'INNER'), 'no');
    await symlink('SUBDIR', join(dir, 'LINK_TO_DIR'));
    await symlink('missing', join(dir, 'DANGLING'));
    await writeFile(join(dir, 'HUGE'), 'x'.repeat(64 * 1024 + 1));
    const store = secretFilesStore(dir);
    expect([...(await store.readAll()).keys()]).toEqual(['GOOD']);
    expect((await store.list()).map((v) => v.name)).toEqual(['GOOD']);
  });

  it('reads a missing directory as empty', async () => {
    const store = secretFilesStore(join(dir, 'nope'));
    expect((await store.readAll()).size).toBe(0);
    expect(await store.list()).toEqual([]);
  });

  it('defaults to /run/secrets', () => {
    expect(secretFilesStore().location).toBe('/run/secrets');
  });

  it('refuses write and delete with KeystoreError `read-only` saying how to update a mounted secret', async () => {
    await writeFile(join(dir, 'BYBIT_API_SECRET'), CANARY);
    const store = secretFilesStore(dir);
    for (const call of [
      () => store.write({ BYBIT_API_SECRET: CANARY }),
      () => store.delete(['BYBIT_API_SECRET']),
    ]) {
      const error = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(KeystoreError.isInstance(error)).toBe(true);
      expect((error as KeystoreError).code).toBe('read-only');
      expect((error as KeystoreError).message).toMatch(/kubectl/);
      expect((error as KeystoreError).message).toMatch(/docker/);
      expect((error as KeystoreError).message).not.toContain(CANARY.slice(0, 12));
    }
    expect((await store.readAll()).get('BYBIT_API_SECRET')).toBe(CANARY);
  });

  it('reports an unreadable file as KeystoreError `io` naming the file, not its content', async (ctx) => {
    const why = unprivilegedUnavailable();
    if (why !== undefined) {
      console.info(`skipped: ${why}`);
      ctx.skip();
    }
    await writeFile(join(dir, 'LOCKED'), CANARY);
    await chmod(join(dir, 'LOCKED'), 0o000);
    const result = await readAllUnprivileged(
      'stores/secret-files-store.ts',
      'secretFilesStore',
      dir,
      [dir],
    );
    expect(result.uid).not.toBe(0);
    expect(result).toMatchObject({ ok: false, name: 'KeystoreError', code: 'io' });
    expect(result.message).toContain(join(dir, 'LOCKED'));
    expect(result.message).toContain('EACCES');
    expect(result.printed).toHaveLength(4);
    for (const text of result.printed ?? []) expect(text).not.toContain(CANARY);
    await chmod(join(dir, 'LOCKED'), 0o644);
    const readable = await readAllUnprivileged(
      'stores/secret-files-store.ts',
      'secretFilesStore',
      dir,
      [dir],
    );
    expect(readable).toMatchObject({ ok: true, names: ['LOCKED'] });
  });

  it('reports a path that is not a directory as KeystoreError `io`', async () => {
    await writeFile(join(dir, 'file'), 'x');
    const error = await secretFilesStore(join(dir, 'file'))
      .readAll()
      .catch((e: unknown) => e);
    expect(KeystoreError.isInstance(error)).toBe(true);
    expect((error as KeystoreError).code).toBe('io');
  });
});
