import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildChildren } from '../__fixtures__/dotenv/build-children.js';
import {
  listTemporaryFiles,
  readFileIfExists,
  withFileLock,
  writeFileAtomic,
} from './atomic-file.js';

let directory: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'exkeys-atomic-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(directory, { recursive: true, force: true });
});

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  if (pid === undefined) throw new Error('could not start a process');
  return pid;
}

describe('writeFileAtomic', () => {
  it('creates a new file with mode 0600 and the exact content', async () => {
    const path = join(directory, '.env');
    await writeFileAtomic(path, 'A=1\n');
    expect(await readFile(path, 'utf8')).toBe('A=1\n');
    expect(await mode(path)).toBe(0o600);
    await writeFileAtomic(join(directory, 'bytes'), new Uint8Array([0, 1, 255]));
    expect([...(await readFile(join(directory, 'bytes')))]).toEqual([0, 1, 255]);
  });

  it('tightens an existing looser file to 0600, or to the mode asked for', async () => {
    const path = join(directory, '.env');
    await writeFile(path, 'old');
    await chmod(path, 0o644);
    await writeFileAtomic(path, 'new');
    expect(await mode(path)).toBe(0o600);
    await writeFileAtomic(path, 'newer', { mode: 0o640 });
    expect(await mode(path)).toBe(0o640);
    expect(await readFile(path, 'utf8')).toBe('newer');
  });

  it('leaves no temporary file behind, after success or failure', async () => {
    const path = join(directory, '.env');
    await writeFileAtomic(path, 'A=1\n');
    await writeFileAtomic(path, 'A=2\n');
    expect(await readdir(directory)).toEqual(['.env']);
    const blocked = join(directory, 'occupied');
    await mkdir(join(blocked, 'inside'), { recursive: true });
    await expect(writeFileAtomic(blocked, 'x')).rejects.toMatchObject({ code: expect.any(String) });
    expect((await readdir(directory)).sort()).toEqual(['.env', 'occupied']);
  });

  it('replaces the target of a symlink and keeps the link', async () => {
    const target = join(directory, 'real.env');
    const link = join(directory, '.env');
    await writeFile(target, 'A=1\n');
    await symlink('real.env', link);
    await writeFileAtomic(link, 'A=2\n');
    expect(await readlink(link)).toBe('real.env');
    expect(await readFile(target, 'utf8')).toBe('A=2\n');
  });

  it('removes temporary files of dead processes and keeps those of live ones', async () => {
    const path = join(directory, '.env');
    const orphan = join(directory, `.env.${deadPid()}.0123456789ab.exkeys-tmp`);
    const oldStyle = join(directory, `..env.${deadPid()}.0123456789ab.tmp`);
    const live = `.env.${process.ppid}.0123456789ab.exkeys-tmp`;
    const unrelated = '.env.5.notours.exkeys-tmp';
    for (const file of [orphan, oldStyle, join(directory, live), join(directory, unrelated)])
      await writeFile(file, 'partial');
    expect(await listTemporaryFiles(path)).toHaveLength(3);
    await writeFileAtomic(path, 'A=1\n');
    expect((await readdir(directory)).sort()).toEqual(['.env', live, unrelated].sort());
    expect(await listTemporaryFiles(path)).toEqual([join(directory, live)]);
  });

  it('names its temporary file <name>.<pid>.<hex>.exkeys-tmp, so `.env.*` ignore rules cover it', async () => {
    const path = join(directory, '.env');
    const seen = new Set<string>();
    const watcher = setInterval(async () => {
      for (const name of await readdir(directory).catch(() => [])) seen.add(name);
    }, 0);
    for (let i = 0; i < 50 && seen.size < 2; i++) await writeFileAtomic(path, 'A'.repeat(200_000));
    clearInterval(watcher);
    const temporary = [...seen].filter((name) => name !== '.env');
    if (temporary.length === 0) {
      console.log('skipped: never saw the temporary file between writes');
      return;
    }
    for (const name of temporary) {
      expect(name).toMatch(new RegExp(`^\\.env\\.${process.pid}\\.[0-9a-f]{12}\\.exkeys-tmp$`));
    }
  });
});

describe('readFileIfExists', () => {
  it('returns the bytes, undefined for a missing file, and throws other errors', async () => {
    const path = join(directory, 'f');
    expect(await readFileIfExists(path)).toBeUndefined();
    await writeFile(path, 'x');
    expect((await readFileIfExists(path))?.toString()).toBe('x');
    await expect(readFileIfExists(directory)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});

describe('withFileLock', () => {
  let script: string;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ script, dispose } = await buildChildren());
  });
  afterAll(async () => {
    await dispose();
  });

  async function holdLock(path: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, [script, path, 'hold'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    expect(line.toString()).toBe('locked\n');
    return child;
  }

  it('serializes read-modify-write cycles that would otherwise lose updates', async () => {
    const path = join(directory, 'counter');
    await writeFile(path, '0');
    const increment = async (): Promise<void> => {
      const value = Number(await readFile(path, 'utf8'));
      await sleep(Math.random() * 3);
      await writeFile(path, String(value + 1));
    };
    await Promise.all(Array.from({ length: 30 }, () => withFileLock(path, increment)));
    expect(await readFile(path, 'utf8')).toBe('30');
    expect(await readdir(directory)).toEqual(['counter']);
  });

  it('releases the lock when fn throws, and passes the error on', async () => {
    const path = join(directory, '.env');
    const failure = new Error('boom');
    await expect(withFileLock(path, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(await readFileIfExists(`${path}.lock`)).toBeUndefined();
    expect(await withFileLock(path, async () => 'again', { timeoutMs: 100 })).toBe('again');
  });

  it('waits for a live holder in another process, fails with ELOCKED, and takes over once it is killed', async () => {
    const path = join(directory, '.env');
    const child = await holdLock(path);
    const error = await withFileLock(path, async () => 'never', { timeoutMs: 150 }).catch((e) => e);
    expect(error).toMatchObject({ code: 'ELOCKED' });
    expect(error.message).toContain(`${path}.lock`);
    expect(error.message).toContain(`process ${child.pid}`);
    expect(error.message).toMatch(/delete the lock file/);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(await readFileIfExists(`${path}.lock`)).toBeDefined();
    expect(await withFileLock(path, async () => 'recovered', { timeoutMs: 2000 })).toBe(
      'recovered',
    );
    expect(await readdir(directory)).toEqual([]);
  });

  it('takes over the lock of a dead process or an old lock from another host, not a recent one', async () => {
    const path = join(directory, '.env');
    const lock = `${path}.lock`;
    const owner = (pid: number, host: string, createdAt: number): string =>
      JSON.stringify({ pid, host, token: 't', createdAt });
    await writeFile(lock, owner(deadPid(), hostname(), Date.now()));
    expect(await withFileLock(path, async () => 1, { timeoutMs: 1000 })).toBe(1);
    await writeFile(lock, owner(process.pid, 'elsewhere', Date.now() - 60_000));
    expect(await withFileLock(path, async () => 2, { timeoutMs: 1000 })).toBe(2);
    await writeFile(lock, owner(process.pid, 'elsewhere', Date.now()));
    await expect(withFileLock(path, async () => 3, { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'ELOCKED',
    });
  });

  it('treats an empty lock file as being created, then as stale once old', async () => {
    const path = join(directory, '.env');
    const lock = `${path}.lock`;
    await writeFile(lock, '');
    await expect(withFileLock(path, async () => 1, { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'ELOCKED',
    });
    const past = new Date(Date.now() - 60_000);
    await utimes(lock, past, past);
    expect(await withFileLock(path, async () => 2, { timeoutMs: 1000 })).toBe(2);
  });
});
