/**
 * Crash-safe file primitives shared by every file-backed store: a cross-process lock and an atomic
 * replace. A reader never sees a half-written file, a writer killed at any moment leaves either the
 * old or the new content, and a lock left by a dead process is taken over.
 *
 * These helpers throw plain Node errors (`err.code` is an errno string such as `EACCES`, or `ELOCKED`
 * for a lock timeout) so each store can wrap them in its own error type.
 * @module
 */
import { open, readdir, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /**
   * How long to wait for another process to release the lock before failing with `ELOCKED`.
   * @default 10000
   */
  timeoutMs?: number;
}

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /**
   * Permission bits of the written file, set when the temporary file is created (never widened by a
   * later chmod). An existing file with looser permissions is tightened to this mode.
   * @default 0o600
   */
  mode?: number;
}

/** The shape of a lock file's content. */
interface LockOwner {
  pid: number;
  host: string;
  token: string;
  createdAt: number;
}

// A lock whose owner cannot be checked (another host) is taken over after this long. On this host a
// live owner keeps its lock up to LOCAL_STALE_MS, which only guards against a recycled pid.
const REMOTE_STALE_MS = 30_000;
const LOCAL_STALE_MS = 10 * 60_000;
// A lock file without readable content was being created; its owner had this long to write it.
const UNREADABLE_STALE_MS = 5_000;

/**
 * Runs `fn` while holding an exclusive cross-process lock on `path` (the file `<path>.lock`, created
 * with `O_EXCL` and holding the owner's pid, host and start time). Waits with jittered backoff while
 * another process holds it; takes over a lock whose owner process is dead. Not re-entrant: calling it
 * again for the same path inside `fn` waits for itself until `timeoutMs`.
 * @throws An `Error` with `code: 'ELOCKED'` when the lock stays held for `timeoutMs`, or the file
 * system error that prevented taking it.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const lockPath = `${path}.lock`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomHex(12),
    createdAt: Date.now(),
  };
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    owner.createdAt = Date.now();
    if (await tryCreateLock(lockPath, owner)) break;
    const holder = await readLock(lockPath);
    if (holder === 'missing') continue;
    if ((await isStale(lockPath, holder)) && (await breakLock(lockPath, holder))) continue;
    if (Date.now() >= deadline) throw lockTimeout(lockPath, holder, timeoutMs);
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    const holder = await readLock(lockPath);
    if (holder !== 'missing' && holder !== 'unreadable' && holder.token === owner.token) {
      await unlink(lockPath).catch(() => undefined);
    }
  }
}

/**
 * Replaces `path` with `data` atomically: writes a temporary file in the same directory (created with
 * `mode`), flushes it to disk, renames it over `path` and flushes the directory. A symlink at `path`
 * is followed, so its target is replaced. Temporary files left by processes that died mid-write are
 * removed.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const target = await realpath(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return path;
    throw error;
  });
  const directory = dirname(target);
  const prefix = `.${basename(target)}.`;
  await removeOrphanedTemporaryFiles(directory, prefix);
  const temporary = join(directory, `${prefix}${process.pid}.${randomHex(6)}.tmp`);
  const handle = await open(temporary, 'wx', options.mode ?? 0o600);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(directory);
}

/** The content of `path`, or `undefined` when it does not exist. Other errors are thrown as is. */
export async function readFileIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function tryCreateLock(lockPath: string, owner: LockOwner): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
  } finally {
    await handle.close();
  }
  return true;
}

async function readLock(lockPath: string): Promise<LockOwner | 'missing' | 'unreadable'> {
  const content = await readFileIfExists(lockPath);
  if (content === undefined) return 'missing';
  try {
    const owner = JSON.parse(content.toString('utf8')) as Partial<LockOwner>;
    if (
      typeof owner.pid === 'number' &&
      typeof owner.host === 'string' &&
      typeof owner.token === 'string' &&
      typeof owner.createdAt === 'number'
    ) {
      return owner as LockOwner;
    }
  } catch {}
  return 'unreadable';
}

async function isStale(lockPath: string, holder: LockOwner | 'unreadable'): Promise<boolean> {
  if (holder === 'unreadable') {
    const info = await stat(lockPath).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > UNREADABLE_STALE_MS;
  }
  const age = Date.now() - holder.createdAt;
  if (holder.host !== hostname()) return age > REMOTE_STALE_MS;
  return !isProcessAlive(holder.pid) || age > LOCAL_STALE_MS;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Two waiters may both find the same stale lock. Breaking it under a second lock, and only if it is
// still the same stale lock, stops one of them from deleting the fresh lock the other just took.
async function breakLock(lockPath: string, stale: LockOwner | 'unreadable'): Promise<boolean> {
  const breaker = `${lockPath}.break`;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(breaker, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A breaker killed mid-way leaves its file behind; it is only ever held for a moment.
    const info = await stat(breaker).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs > UNREADABLE_STALE_MS) {
      await unlink(breaker).catch(() => undefined);
    }
    return false;
  }
  try {
    const current = await readLock(lockPath);
    if (current === 'missing') return true;
    const same =
      current === 'unreadable'
        ? stale === 'unreadable'
        : typeof stale === 'object' && current.token === stale.token;
    if (!same || !(await isStale(lockPath, current))) return false;
    await unlink(lockPath).catch(() => undefined);
    return true;
  } finally {
    await handle.close();
    await unlink(breaker).catch(() => undefined);
  }
}

function lockTimeout(
  lockPath: string,
  holder: LockOwner | 'missing' | 'unreadable',
  timeoutMs: number,
): Error {
  const by = typeof holder === 'object' ? ` by process ${holder.pid} on ${holder.host}` : '';
  const error = new Error(
    `Timed out after ${timeoutMs} ms waiting for the lock ${lockPath}, held${by}. ` +
      'Wait for the other exkeys process to finish; if none is running, delete the lock file.',
  ) as NodeJS.ErrnoException;
  error.code = 'ELOCKED';
  return error;
}

async function removeOrphanedTemporaryFiles(directory: string, prefix: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length));
    const pid = Number(match?.[1]);
    if (match !== null && pid > 0 && pid !== process.pid && !isProcessAlive(pid)) {
      await unlink(join(directory, name)).catch(() => undefined);
    }
  }
}

async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Some platforms and file systems cannot fsync a directory; the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

// A plain timer rather than node:timers/promises, which start-up would pay for.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Web Crypto is loaded on first use, unlike an import of node:crypto, which start-up would pay for.
function randomHex(bytes: number): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}
