import { execFile } from 'node:child_process';
import {
  copyFile,
  mkdir,
  mkdtemp,
  open,
  rename,
  rm,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildForChild } from './__fixtures__/child-build.js';
import { CredentialsError } from './errors.js';
import { ageStore } from './stores/age/age-store.js';
import { secretFilesStore } from './stores/secret-files-store.js';
import type { ValidatedCredentials } from './validated-credentials.js';
import { type CredentialWatcher, type WatchOptions, watchCredentials } from './watch.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Canaries: distinct per rotation, so a report names exactly which state it saw.
const key = (n: number) => `WATCHKEY${String(n).padStart(10, '0')}`;
const secret = (n: number) => `CANARYSECRET${String(n).padStart(26, '0')}`;
const envText = (n: number) => `BYBIT_API_KEY=${key(n)}\nBYBIT_API_SECRET=${secret(n)}\n`;

let dir: string;
let watcher: CredentialWatcher<'bybit'> | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-watch-'));
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Starts a watch that records what it reports. */
async function record(options: Omit<WatchOptions<'bybit'>, 'onChange' | 'onError'>) {
  const changes: Array<{ at: number; creds: ValidatedCredentials<'bybit'> }> = [];
  const errors: Error[] = [];
  watcher = await watchCredentials('bybit', {
    debounceMs: 60,
    ...options,
    onChange: (creds) => {
      changes.push({ at: Date.now(), creds });
    },
    onError: (error) => {
      errors.push(error);
    },
  });
  return { changes, errors, keys: () => changes.map((c) => c.creds.apiKey) };
}

async function until(what: string, done: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

describe('watchCredentials on a .env file', () => {
  it('reports a rotation made by another process within a bounded time, validated', async () => {
    const file = join(dir, '.env');
    await writeFile(file, envText(1));
    const seen = await record({ envFile: file });
    expect(watcher?.current?.apiKey).toBe(key(1));
    const build = await buildForChild(['stores/dotenv/dotenv-store.ts']);
    try {
      const script = join(build.dir, 'out', 'rotate-child.mjs');
      await copyFile(
        fileURLToPath(new URL('./__fixtures__/watch/rotate-child.mjs', import.meta.url)),
        script,
      );
      const { stdout } = await run(process.execPath, [script, file, key(2), secret(2)]);
      const written = Number(stdout.trim());
      await until('the rotation', () => seen.changes.length > 0);
      const latency = seen.changes[0]!.at - written;
      console.log(`rotation reached the watcher ${latency} ms after the write`);
      expect(latency).toBeLessThan(2_000);
      expect(seen.keys()).toEqual([key(2)]);
      const { creds } = seen.changes[0]!;
      expect([creds.exchange, creds.profile, creds.apiSecret]).toEqual([
        'bybit',
        'default',
        secret(2),
      ]);
      expect(watcher?.current?.apiKey).toBe(key(2));
      expect(seen.errors).toEqual([]);
    } finally {
      await build.dispose();
    }
  });

  it('never reports a torn or an invalid write; reports the settled valid one', async () => {
    const file = join(dir, '.env');
    await writeFile(file, envText(1));
    const seen = await record({ envFile: file, debounceMs: 100 });
    // An editor writing in place, slowly: truncated, then the secret a few characters at a time.
    const handle = await open(file, 'w');
    const text = envText(2);
    for (let i = 0; i < text.length; i += 6) {
      await handle.write(text.slice(i, i + 6));
      await sleep(15);
    }
    await handle.close();
    await until('the settled write', () => seen.changes.length > 0);
    await sleep(400);
    expect(seen.keys()).toEqual([key(2)]);
    expect(seen.changes[0]!.creds.apiSecret).toBe(secret(2));

    // A settled invalid state (a template placeholder): never reported as a change, told once.
    await writeFile(file, `BYBIT_API_KEY=${key(3)}\nBYBIT_API_SECRET=your_secret_here\n`);
    await until('the error', () => seen.errors.length > 0);
    await sleep(400);
    expect(seen.keys()).toEqual([key(2)]);
    expect(seen.errors).toHaveLength(1);
    const error = seen.errors[0]!;
    expect(CredentialsError.isInstance(error) && error.code).toBe('invalid-credentials');
    expect(error.message).toContain('BYBIT_API_SECRET');
    expect(watcher?.current?.apiKey).toBe(key(2));

    // Control: the watch still works after the refusal.
    await writeFile(file, envText(4));
    await until('the next rotation', () => seen.changes.length > 1);
    expect(seen.keys()).toEqual([key(2), key(4)]);
  });

  it('sees an atomic rename (a new inode) and ignores unrelated files in the directory', async () => {
    const file = join(dir, '.env');
    await writeFile(file, envText(1));
    const seen = await record({ envFile: file });
    await writeFile(join(dir, 'other.txt'), 'unrelated');
    await writeFile(join(dir, '.env.tmp'), envText(9));
    await sleep(400);
    expect(seen.changes).toEqual([]);
    await rename(join(dir, '.env.tmp'), file);
    await until('the rename', () => seen.changes.length > 0);
    await writeFile(join(dir, '.env.tmp2'), envText(5));
    await rename(join(dir, '.env.tmp2'), file);
    await until('the second rename', () => seen.changes.length > 1);
    expect(seen.keys()).toEqual([key(9), key(5)]);
  });

  it('follows a .env that is a symlink: an edit of the file it points to is seen', async () => {
    await mkdir(join(dir, 'shared'));
    const real = join(dir, 'shared', 'bot.env');
    await writeFile(real, envText(1));
    await symlink(real, join(dir, '.env'));
    const seen = await record({ envFile: join(dir, '.env') });
    expect(watcher?.current?.apiKey).toBe(key(1));
    await writeFile(real, envText(6));
    await until('the edit', () => seen.changes.length > 0);
    expect(seen.keys()).toEqual([key(6)]);
  });

  it('stops on close(), and refuses a directory that does not exist', async () => {
    const file = join(dir, '.env');
    await writeFile(file, envText(1));
    const seen = await record({ envFile: file });
    await watcher?.close();
    await writeFile(file, envText(2));
    await sleep(400);
    expect(seen.changes).toEqual([]);
    const missing = join(dir, 'nowhere', '.env');
    const error = await watchCredentials('bybit', { envFile: missing, onChange: () => {} }).catch(
      (e: unknown) => e,
    );
    expect(CredentialsError.isInstance(error) && error.code).toBe('io');
    expect((error as Error).message).toContain(join(dir, 'nowhere'));
  });
});

describe('watchCredentials on secret files', () => {
  it('sees a Kubernetes-style ..data symlink swap', async () => {
    const mount = join(dir, 'secrets');
    await mkdir(mount);
    // What the kubelet makes: a timestamped directory, `..data` pointing at it, and one symlink
    // per key into `..data/`.
    const version = async (name: string, n: number) => {
      await mkdir(join(mount, name));
      await writeFile(join(mount, name, 'BYBIT_API_KEY'), key(n));
      await writeFile(join(mount, name, 'BYBIT_API_SECRET'), `${secret(n)}\n`);
    };
    await version('..2024_01_01_00_00_00.1', 1);
    await symlink('..2024_01_01_00_00_00.1', join(mount, '..data'));
    for (const name of ['BYBIT_API_KEY', 'BYBIT_API_SECRET'])
      await symlink(join('..data', name), join(mount, name));
    const seen = await record({ store: secretFilesStore(mount) });
    expect(watcher?.current?.apiKey).toBe(key(1));

    await version('..2024_01_02_00_00_00.2', 2);
    await symlink('..2024_01_02_00_00_00.2', join(mount, '..data_tmp'));
    await rename(join(mount, '..data_tmp'), join(mount, '..data'));
    await rm(join(mount, '..2024_01_01_00_00_00.1'), { recursive: true });
    await until('the swap', () => seen.changes.length > 0);
    await sleep(300);
    expect(seen.keys()).toEqual([key(2)]);
    expect(seen.changes[0]!.creds.apiSecret).toBe(secret(2));
    expect(seen.errors).toEqual([]);
  });

  it('reports a key file removed as an error, not a change', async () => {
    const mount = join(dir, 'secrets');
    await mkdir(mount);
    await writeFile(join(mount, 'BYBIT_API_KEY'), key(1));
    await writeFile(join(mount, 'BYBIT_API_SECRET'), secret(1));
    const seen = await record({ store: secretFilesStore(mount) });
    await unlink(join(mount, 'BYBIT_API_SECRET'));
    await until('the error', () => seen.errors.length > 0);
    expect(seen.changes).toEqual([]);
    expect(seen.errors[0]!.message).toContain('BYBIT_API_SECRET');
    // Control: a new secret file is a change.
    await writeFile(join(mount, 'BYBIT_API_SECRET'), secret(3));
    await until('the change', () => seen.changes.length > 0);
    expect(seen.changes[0]!.creds.apiSecret).toBe(secret(3));
  });
});

describe('watchCredentials on an age keystore', () => {
  it('reports a rotation written to the keystore', async () => {
    const path = join(dir, '.env.age');
    const options = { path, passphrase: 'correct horse battery staple', scryptWorkFactor: 10 };
    await ageStore(options).write({ BYBIT_API_KEY: key(1), BYBIT_API_SECRET: secret(1) });
    const seen = await record({ store: ageStore(options) });
    expect(watcher?.current?.apiKey).toBe(key(1));
    await ageStore(options).write({ BYBIT_API_KEY: key(2), BYBIT_API_SECRET: secret(2) });
    await until('the rotation', () => seen.changes.length > 0);
    expect(seen.keys()).toEqual([key(2)]);
    // A keystore overwritten with garbage (a torn copy) fails to decrypt: an error, never a change.
    await writeFile(path, 'age-encryption.org/v1\n-> scrypt');
    await until('the error', () => seen.errors.length > 0);
    await sleep(300);
    expect(seen.keys()).toEqual([key(2)]);
  });
});
