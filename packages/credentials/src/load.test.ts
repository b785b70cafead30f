import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { beforeEach, describe, expect, it } from 'vitest';
import { CredentialsError } from './errors.js';
import { loadApiKeys } from './load.js';
import { getApiSecret, getCredentials } from './retrieve.js';
import type { CredentialStore } from './stores/store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-load-'));
});

const ENV = [
  '# exchange keys',
  'BYBIT_API_KEY=CANKEYbybit0123456',
  "export BYBIT_API_SECRET='CANARYbybitSECRET0123456789abcdefghij'",
  'OTHER=value',
  '',
].join('\n');

function memoryStore(
  kind: CredentialStore['kind'],
  values: Record<string, string>,
): CredentialStore {
  return {
    kind,
    location: `memory:${kind}`,
    readOnly: true,
    readAll: async () => new Map(Object.entries(values)),
    write: async () => {
      throw new Error('read-only');
    },
    delete: async () => {
      throw new Error('read-only');
    },
    list: async () => Object.keys(values).map((name) => ({ name, rotatedAt: null })),
  };
}

describe('loadApiKeys', () => {
  it('injects the file into a target, leaving process.env alone', async () => {
    const envFile = join(dir, '.env');
    await writeFile(envFile, ENV);
    const target: Record<string, string | undefined> = {};
    const result = await loadApiKeys({ envFile, target });
    expect(result).toEqual({
      loaded: true,
      path: envFile,
      injected: ['BYBIT_API_KEY', 'BYBIT_API_SECRET', 'OTHER'],
      skipped: [],
    });
    expect(target).toEqual(parse(ENV));
    expect(process.env.BYBIT_API_SECRET).toBeUndefined();
    expect(getCredentials('bybit', { env: target }).apiSecret).toBe(
      'CANARYbybitSECRET0123456789abcdefghij',
    );
  });

  it('injects into process.env by default', async () => {
    const envFile = join(dir, '.env');
    await writeFile(envFile, 'ZZTEST_API_KEY=CANARYprocessKEY\n');
    try {
      const result = await loadApiKeys({ envFile });
      expect(result.injected).toEqual(['ZZTEST_API_KEY']);
      expect(process.env.ZZTEST_API_KEY).toBe('CANARYprocessKEY');
    } finally {
      delete process.env.ZZTEST_API_KEY;
    }
  });

  it('lets the shell win unless override is set', async () => {
    const envFile = join(dir, '.env');
    await writeFile(envFile, ENV);
    const shell = { BYBIT_API_KEY: 'fromShell' };
    const kept = { ...shell };
    expect((await loadApiKeys({ envFile, target: kept })).skipped).toEqual(['BYBIT_API_KEY']);
    expect(kept.BYBIT_API_KEY).toBe('fromShell');
    const replaced = { ...shell };
    expect((await loadApiKeys({ envFile, target: replaced, override: true })).skipped).toEqual([]);
    expect(replaced.BYBIT_API_KEY).toBe('CANKEYbybit0123456');
  });

  it('treats a missing file as not loaded, not an error', async () => {
    const target = {};
    const result = await loadApiKeys({ envFile: join(dir, 'nope.env'), target });
    expect(result).toMatchObject({ loaded: false, injected: [], skipped: [] });
    expect(target).toEqual({});
  });

  it('resolves *_FILE secrets from the file or the shell, trimming the trailing newline', async () => {
    const secretPath = join(dir, 'okx_secret');
    await writeFile(secretPath, 'CANARYfromDockerSecret\n');
    await chmod(secretPath, 0o600);
    const keyPath = join(dir, 'okx_key');
    await writeFile(keyPath, 'key-from-file\r\n');
    const envFile = join(dir, '.env');
    await writeFile(
      envFile,
      `OKX_API_SECRET_FILE=${secretPath}\nUNRELATED_FILE=${secretPath}\nEXKEYS_ENV_FILE=${secretPath}\n`,
    );
    const target: Record<string, string | undefined> = { OKX_API_KEY_FILE: keyPath };
    const result = await loadApiKeys({ envFile, target });
    expect(getApiSecret('okx', { env: target })).toBe('CANARYfromDockerSecret');
    expect(target.OKX_API_KEY).toBe('key-from-file');
    expect(target.UNRELATED).toBeUndefined();
    expect(target.EXKEYS_ENV).toBeUndefined();
    expect(result.injected).toContain('OKX_API_SECRET');
    expect(result.injected).toContain('OKX_API_KEY');
  });

  it('refuses a *_FILE that names a FIFO, a directory or an oversized file, without reading it', async () => {
    const { execFileSync } = await import('node:child_process');
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const big = join(dir, 'big');
    await writeFile(big, 'x'.repeat(64 * 1024 + 1));
    const cases: [string, RegExp][] = [
      [fifo, /not a regular file/],
      [dir, /not a regular file/],
      [big, /larger than 65536 bytes/],
      [join(dir, 'missing'), /ENOENT/],
    ];
    for (const [path, message] of cases) {
      const target: Record<string, string | undefined> = { BYBIT_API_SECRET_FILE: path };
      const error = await loadApiKeys({ envFile: join(dir, 'none.env'), target }).catch((e) => e);
      expect(CredentialsError.isInstance(error), path).toBe(true);
      expect(error.message).toMatch(message);
      expect(error.message).toContain('BYBIT_API_SECRET_FILE');
      expect(target.BYBIT_API_SECRET).toBeUndefined();
    }
    // Control: a file at the limit is read.
    await writeFile(big, `${'y'.repeat(64 * 1024 - 1)}\n`);
    const target: Record<string, string | undefined> = { BYBIT_API_SECRET_FILE: big };
    await loadApiKeys({ envFile: join(dir, 'none.env'), target });
    expect(target.BYBIT_API_SECRET).toHaveLength(64 * 1024 - 1);
  });

  it('gives *_FILE the precedence of where it is set: the shell first, unless override', async () => {
    const fromFile = join(dir, 'secret');
    await writeFile(fromFile, 'CANARYfromFile\n');
    const envFile = join(dir, '.env');
    const load = async (
      file: string,
      shell: Record<string, string>,
      override = false,
    ): Promise<[string | undefined, Awaited<ReturnType<typeof loadApiKeys>>]> => {
      await writeFile(envFile, file);
      const target: Record<string, string | undefined> = { ...shell };
      const result = await loadApiKeys({ envFile, target, override });
      return [target.BYBIT_API_SECRET, result];
    };
    const shellValue = { BYBIT_API_SECRET: 'shellValue' };
    const shellFile = { BYBIT_API_SECRET_FILE: fromFile };
    const storeValue = 'BYBIT_API_SECRET=storeValue\n';
    const storeFile = `BYBIT_API_SECRET_FILE=${fromFile}\n`;

    // The shell's value beats the store's file, and is reported as skipped.
    const [kept, keptResult] = await load(storeFile, shellValue);
    expect(kept).toBe('shellValue');
    expect(keptResult.skipped).toEqual(['BYBIT_API_SECRET']);
    expect(keptResult.injected).toEqual(['BYBIT_API_SECRET_FILE']);
    // The shell's file beats the store's value.
    const [fromShellFile, shellFileResult] = await load(storeValue, shellFile);
    expect(fromShellFile).toBe('CANARYfromFile');
    expect(shellFileResult.skipped).toEqual([]);
    expect(shellFileResult.injected).toEqual(['BYBIT_API_SECRET']);
    // With override the store's level comes first.
    expect((await load(storeFile, shellValue, true))[0]).toBe('CANARYfromFile');
    expect((await load(storeValue, shellFile, true))[0]).toBe('storeValue');
    // At one level, a plain value beats a file.
    expect((await load(`${storeFile}${storeValue}`, {}))[0]).toBe('storeValue');
    expect((await load('', { ...shellFile, ...shellValue }))[0]).toBe('shellValue');
    const [alone, aloneResult] = await load(storeFile, {});
    expect(alone).toBe('CANARYfromFile');
    expect(aloneResult.injected).toEqual(['BYBIT_API_SECRET_FILE', 'BYBIT_API_SECRET']);
    expect(JSON.stringify([keptResult, shellFileResult, aloneResult])).not.toContain('CANARY');
  });

  it('reports an unreadable *_FILE by variable and path, never by content', async () => {
    const target = { BYBIT_API_SECRET_FILE: join(dir, 'missing') };
    const error = await loadApiKeys({ envFile: join(dir, 'none'), target }).catch(
      (e: unknown) => e,
    );
    expect(CredentialsError.isInstance(error)).toBe(true);
    expect((error as CredentialsError).code).toBe('io');
    expect((error as Error).message).toMatch(/BYBIT_API_SECRET_FILE points to .*missing.*ENOENT/);
  });

  it('loads several stores, the first one that has a variable winning', async () => {
    const target: Record<string, string | undefined> = { SHELL_ONLY: 'x' };
    const result = await loadApiKeys({
      target,
      stores: [
        memoryStore('keychain', { BYBIT_API_KEY: 'first', SHELL_ONLY: 'store' }),
        memoryStore('secret-files', { BYBIT_API_KEY: 'second', BYBIT_API_SECRET: 'fromSecond' }),
      ],
    });
    expect(target).toEqual({
      SHELL_ONLY: 'x',
      BYBIT_API_KEY: 'first',
      BYBIT_API_SECRET: 'fromSecond',
    });
    expect(result.loaded).toBe(true);
    expect(result.path).toBe('memory:keychain, memory:secret-files');
    expect(result.skipped).toEqual(['SHELL_ONLY']);
  });

  it('leaves the file untouched', async () => {
    const envFile = join(dir, '.env');
    await writeFile(envFile, ENV);
    await loadApiKeys({ envFile, target: {} });
    expect(await readFile(envFile, 'utf8')).toBe(ENV);
  });
});
