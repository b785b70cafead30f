// The user's own .env file as an attacker on the same host, or a careless user, leaves it: another
// user's lock in a shared directory, symlinks and hard links, bytes that are not UTF-8, a file owned
// by the bot's user, FIFOs, devices and huge files. As root, the cases that need a second user run it
// through setpriv, in a world-readable temp directory.
import { execFile, spawnSync } from 'node:child_process';
import {
  chmod,
  chown,
  lchown,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildForChild } from '../../__fixtures__/child-build.js';
import {
  copyModulesOutOfCheckout,
  readAllUnprivileged,
  unprivilegedUnavailable,
} from '../../__fixtures__/stores/unprivileged.js';
import { CredentialsError } from '../../errors.js';
import { saveApiKeys } from '../../write-credentials.js';
import { MAX_STORE_FILE_BYTES } from '../store-file.js';
import { dotenvStore } from './dotenv-store.js';

const run = promisify(execFile);
const CANARY_KEY = 'CANARYKEYhostile0123456789';
const CANARY_SECRET = 'CANARYSECREThostile0123456789abcdef';
const isRoot = process.getuid?.() === 0;
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-hostile-'));
  // World-readable, so the second user can reach the files inside.
  await chmod(dir, 0o755);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(CredentialsError.isInstance(error)).toBe(true);
  return error as CredentialsError;
}

function secondUserUnavailable(): string | undefined {
  if (!isRoot) return 'not running as root: cannot act as a second user';
  return unprivilegedUnavailable();
}

describe('lock planted by another user in a shared (sticky) directory', () => {
  // The writer runs as uid 65533; the lock belongs to uid 65534, in a 1777 directory, so the writer
  // may not delete it. Today it spins at full CPU forever; it must give up at lockTimeoutMs, naming
  // the holder, without burning the CPU.
  async function saveAsSecondUser(env: string, timeoutMs: number) {
    const build = await buildForChild(['stores/dotenv/dotenv-store.ts']);
    try {
      await copyModulesOutOfCheckout(build.dir);
      await chmod(build.dir, 0o755);
      const script = join(build.dir, 'out', 'save.mjs');
      await writeFile(
        script,
        `import { dotenvStore } from './stores/dotenv/dotenv-store.js';
const started = Date.now();
const cpu = process.cpuUsage();
const result = await dotenvStore(process.argv[2], { lockTimeoutMs: Number(process.argv[3]) })
  .write({ A: '1' })
  .then(() => ({ ok: true }), (e) => ({ ok: false, name: e.name, code: e.code, message: e.message }));
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ ...result, elapsed: Date.now() - started, cpuMs: (used.user + used.system) / 1000 }));
`,
      );
      const { stdout } = await run(
        'setpriv',
        [
          '--reuid=65533',
          '--regid=65533',
          '--clear-groups',
          process.execPath,
          script,
          env,
          String(timeoutMs),
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
      return JSON.parse(stdout) as {
        ok: boolean;
        name?: string;
        code?: string;
        message: string;
        elapsed: number;
        cpuMs: number;
      };
    } finally {
      await build.dispose();
    }
  }

  async function sharedDir(): Promise<string> {
    const shared = join(dir, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o1777);
    return shared;
  }

  function deadPid(): number {
    return spawnSync(process.execPath, ['-e', '']).pid!;
  }

  it('ends at lockTimeoutMs in CredentialsError io naming the holder, with bounded backoff', async (context) => {
    const why = secondUserUnavailable();
    if (why !== undefined) {
      console.log(`skipped: ${why}`);
      return context.skip();
    }
    const shared = await sharedDir();
    const env = join(shared, '.env');
    // Stale (its process is dead), but not ours to delete.
    const pid = deadPid();
    await writeFile(
      `${env}.lock`,
      JSON.stringify({ pid, host: (await import('node:os')).hostname(), token: 't', createdAt: 1 }),
    );
    await chmod(`${env}.lock`, 0o644);
    await chown(`${env}.lock`, 65534, 65534);
    const result = await saveAsSecondUser(env, 800);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ name: 'CredentialsError', code: 'io' });
    expect(result.message).toContain(`process ${pid}`);
    expect(result.message).toMatch(/could not be removed \(EPERM\)/);
    expect(result.elapsed).toBeGreaterThanOrEqual(700);
    expect(result.elapsed).toBeLessThan(5000);
    // A busy loop would burn about as much CPU as wall time.
    expect(result.cpuMs).toBeLessThan(result.elapsed / 2);
    expect(await readdir(shared)).toEqual(['.env.lock']);
  });

  it('names the lock file owner when its content is private to that user', async (context) => {
    const why = secondUserUnavailable();
    if (why !== undefined) {
      console.log(`skipped: ${why}`);
      return context.skip();
    }
    const shared = await sharedDir();
    const env = join(shared, '.env');
    await writeFile(`${env}.lock`, 'x');
    await chmod(`${env}.lock`, 0o600);
    await chown(`${env}.lock`, 65534, 65534);
    const result = await saveAsSecondUser(env, 300);
    expect(result).toMatchObject({ ok: false, name: 'CredentialsError', code: 'io' });
    expect(result.message).toContain('owned by uid 65534');
    expect(result.elapsed).toBeLessThan(5000);
  });

  it('control: the same writer saves at once when nobody holds the lock', async (context) => {
    const why = secondUserUnavailable();
    if (why !== undefined) {
      console.log(`skipped: ${why}`);
      return context.skip();
    }
    const shared = await sharedDir();
    const result = await saveAsSecondUser(join(shared, '.env'), 800);
    expect(result.ok).toBe(true);
    expect(result.elapsed).toBeLessThan(700);
  });
});

describe('symlinks and hard links', () => {
  it('refuses a .env symlink owned by another user, to read or to write', async (context) => {
    if (!isRoot) {
      console.log('skipped: not root, so cannot give a symlink to another user');
      return context.skip();
    }
    const target = join(dir, 'elsewhere.env');
    await writeFile(target, 'A=1\n');
    const env = join(dir, '.env');
    await symlink(target, env);
    await lchown(env, 65534, 65534);
    for (const attempt of [
      dotenvStore(env).readAll(),
      saveApiKeys('bybit', { apiKey: CANARY_KEY, apiSecret: CANARY_SECRET }, { envFile: env }),
    ]) {
      const error = await failure(attempt);
      expect(error.code).toBe('io');
      expect(error.message).toContain('symlink owned by another user (uid 65534)');
      expect(error.message).not.toContain(CANARY_SECRET);
    }
    expect(await readFile(target, 'utf8')).toBe('A=1\n');
    // Control: the same link, once it is ours, is followed.
    await lchown(env, 0, 0);
    await saveApiKeys('bybit', { apiKey: CANARY_KEY, apiSecret: CANARY_SECRET }, { envFile: env });
    expect(await readFile(target, 'utf8')).toContain(CANARY_SECRET);
    expect((await lstat(env)).isSymbolicLink()).toBe(true);
  });

  it('locks the resolved target: concurrent saves half through a symlink lose no update', async () => {
    const target = join(dir, 'config', 'bot.env');
    await mkdir(join(dir, 'config'));
    await writeFile(target, '# bot\n');
    const env = join(dir, '.env');
    await symlink('config/bot.env', env);
    const writes = Array.from({ length: 12 }, (_, i) =>
      dotenvStore(i % 2 === 0 ? env : target).write({ [`V${i}`]: `value ${i}` }),
    );
    await Promise.all(writes);
    const values = await dotenvStore(target).readAll();
    expect([...values.keys()].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `V${i}`).sort());
    expect((await lstat(env)).isSymbolicLink()).toBe(true);
  });

  it('writes a hard-linked .env in place of its name, and the other name keeps the old content', async () => {
    // Documented behaviour: the atomic replace gives the .env a new inode; the other name is a copy.
    const env = join(dir, '.env');
    await writeFile(env, 'A=1\n');
    await link(env, join(dir, 'copy.env'));
    await dotenvStore(env).write({ A: '2' });
    expect(await readFile(env, 'utf8')).toBe('A=2\n');
    expect(await readFile(join(dir, 'copy.env'), 'utf8')).toBe('A=1\n');
  });
});

describe('bytes we did not write', () => {
  it('keeps an unrelated line with non-UTF-8 bytes byte for byte, save after save', async () => {
    const env = join(dir, '.env');
    const latin1 = Buffer.from(
      'DB_PASSWORD=p\xe4ss\n# caf\xe9 \xff\xfe\r\nOTHER="x\x80y"\n',
      'latin1',
    );
    await writeFile(env, latin1);
    await saveApiKeys('bybit', { apiKey: CANARY_KEY, apiSecret: CANARY_SECRET }, { envFile: env });
    await saveApiKeys('bybit', { apiKey: `${CANARY_KEY}2`, apiSecret: 'é✓😀' }, { envFile: env });
    const after = await readFile(env);
    expect(after.subarray(0, latin1.length).equals(latin1)).toBe(true);
    const rest = after.subarray(latin1.length).toString('utf8');
    expect(rest).toContain(`BYBIT_API_KEY=${CANARY_KEY}2`);
    expect(rest).toContain('BYBIT_API_SECRET=é✓😀');
    expect((await dotenvStore(env).readAll()).get('BYBIT_API_SECRET')).toBe('é✓😀');
  });

  it('refuses a value with a lone surrogate as unrepresentable-value and leaves the file alone', async () => {
    const env = join(dir, '.env');
    await writeFile(env, 'A=1\n');
    for (const bad of ['\ud800', 'ab\udc80', '\udfff\ud83d']) {
      const error = await failure(dotenvStore(env).write({ B: bad }));
      expect(error.code).toBe('unrepresentable-value');
      expect(error.message).toContain('lone UTF-16 surrogate');
    }
    expect(await readFile(env, 'utf8')).toBe('A=1\n');
    // Control: a well-formed pair is fine.
    await dotenvStore(env).write({ B: '\ud83d\ude00' });
    expect((await dotenvStore(env).readAll()).get('B')).toBe('😀');
  });
});

describe('ownership', () => {
  it("keeps the owner and group of another user's .env and tightens only the other bits", async (context) => {
    if (!isRoot) {
      console.log('skipped: not root, so cannot save into another user’s file');
      return context.skip();
    }
    const env = join(dir, '.env');
    await writeFile(env, 'A=1\n');
    await chown(env, 65534, 65534);
    await chmod(env, 0o644);
    await saveApiKeys('bybit', { apiKey: CANARY_KEY, apiSecret: CANARY_SECRET }, { envFile: env });
    let info = await stat(env);
    expect([info.uid, info.gid, info.mode & 0o777]).toEqual([65534, 65534, 0o640]);
    await chmod(env, 0o640);
    await saveApiKeys('bybit', { apiKey: CANARY_KEY, apiSecret: 'second' }, { envFile: env });
    info = await stat(env);
    expect([info.uid, info.gid, info.mode & 0o777]).toEqual([65534, 65534, 0o640]);
    const why = unprivilegedUnavailable();
    if (why === undefined) {
      // The bot's user can still read its keys.
      const read = await readAllUnprivileged('stores/dotenv/dotenv-store.ts', 'dotenvStore', env, [
        dir,
      ]);
      expect(read).toMatchObject({ ok: true, uid: 65534 });
      expect(read.names).toContain('BYBIT_API_SECRET');
    } else console.log(`skipped the read-back as uid 65534: ${why}`);
    // Control: a file root creates stays root's, mode 0600.
    const fresh = join(dir, 'fresh.env');
    await saveApiKeys(
      'bybit',
      { apiKey: CANARY_KEY, apiSecret: CANARY_SECRET },
      { envFile: fresh },
    );
    info = await stat(fresh);
    expect([info.uid, info.mode & 0o777]).toEqual([0, 0o600]);
  });
});

describe('non-regular and oversized files', () => {
  async function expectRefused(path: string, pattern: RegExp): Promise<void> {
    for (const attempt of [
      () => dotenvStore(path).readAll(),
      () => dotenvStore(path).write({ A: CANARY_SECRET }),
    ]) {
      const started = Date.now();
      const error = await failure(attempt());
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error.code).toBe('io');
      expect(error.message).toMatch(pattern);
      expect(error.message).not.toContain(CANARY_SECRET);
    }
  }

  it('refuses /dev/zero, a FIFO and a directory with a typed error, without hanging', async (context) => {
    await expectRefused('/dev/zero', /is a character device, not a regular file/);
    await expectRefused(dir, /is a directory/);
    const fifo = join(dir, 'fifo.env');
    if (spawnSync('mkfifo', [fifo]).status !== 0) {
      console.log('skipped the FIFO case: mkfifo is not available');
      return context.skip();
    }
    await expectRefused(fifo, /is a FIFO \(named pipe\), not a regular file/);
  });

  it('refuses a .env over 1 MiB before reading it, and reads one just under', async () => {
    const big = join(dir, 'big.env');
    await writeFile(big, `A=${'x'.repeat(MAX_STORE_FILE_BYTES)}\n`);
    await expectRefused(big, /larger than 1048576 bytes, the limit for a credentials file/);
    // Control: a file at the limit is read.
    const fits = join(dir, 'fits.env');
    await writeFile(fits, `A=${'x'.repeat(MAX_STORE_FILE_BYTES - 3)}\n`);
    expect((await dotenvStore(fits).readAll()).get('A')).toHaveLength(MAX_STORE_FILE_BYTES - 3);
  });
});
