/**
 * Crash-safe file primitives shared by every file-backed store: a cross-process lock and an atomic
 * replace. A reader never sees a half-written file, a writer killed at any moment leaves either the
 * old or the new content, and a lock left by a dead process is taken over.
 *
 * These helpers throw plain Node errors (`err.code` is an errno string such as `EACCES`, or `ELOCKED`
 * for a lock timeout) so each store can wrap them in its own error type.
 * @module
 */
import { lstat, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileError, readFileIfExists, resolveStoreFile } from './store-file.js';

export { readFileIfExists } from './store-file.js';

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
   * later chmod). An existing file of ours with looser permissions is tightened to this mode. An
   * existing file owned by another user (root saving the bot user's `.env`) keeps its owner, group
   * and mode, except the "other" bits this mode does not grant, which are cleared.
   * @default 0o600
   */
  mode?: number;
}

/** The suffix of every temporary file {@link writeFileAtomic} creates: `<name>.<pid>.<hex>.exkeys-tmp`. */
export const TEMPORARY_FILE_SUFFIX = '.exkeys-tmp';

/** Who holds a lock, as far as its file tells: for messages. */
export interface LockHolder {
  /** The holder's process id, when the lock file could be read. */
  pid?: number;
  /** The holder's host name, when the lock file could be read. */
  host?: string;
  /** The uid owning the lock file, when it could be checked. */
  uid?: number;
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
  // Why the last stale lock could not be removed (another user's lock in a sticky directory).
  let unbreakable: NodeJS.ErrnoException | undefined;
  for (;;) {
    owner.createdAt = Date.now();
    if (await tryCreateLock(lockPath, owner)) break;
    const holder = await readLock(lockPath);
    if (holder !== 'missing' && (await isStale(lockPath, holder))) {
      const broken = await breakLock(lockPath, holder);
      if (broken === true) continue;
      if (broken !== false) unbreakable = broken;
    }
    // Every path that does not hold the lock reaches the deadline and backs off: no busy loop.
    if (Date.now() >= deadline) throw lockTimeout(lockPath, holder, timeoutMs, unbreakable);
    await sleep(Math.min(delay + Math.random() * delay, Math.max(deadline - Date.now(), 1)));
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    const holder = await readLock(lockPath);
    if (typeof holder === 'object' && 'token' in holder && holder.token === owner.token) {
      await unlink(lockPath).catch(() => undefined);
    }
  }
}

/**
 * Replaces `path` with `data` atomically: writes a temporary file in the same directory (created with
 * `mode`), flushes it to disk, renames it over `path` and flushes the directory. A symlink at `path`
 * is followed (when it belongs to this user or root; see `resolveStoreFile`), so its target is
 * replaced. An existing file owned by another user keeps its owner and group (see
 * {@link WriteFileAtomicOptions.mode}). Temporary files are named `<name>.<pid>.<hex>.exkeys-tmp`,
 * so ignore rules for `<name>.*` cover them; those left by processes that died mid-write are removed.
 * @throws An `Error` with `code` `EFOREIGNLINK`, `EFOREIGNOWNER` (another user's file, and this
 * process may not give the new file to that user), or the file system error that stopped the write.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const { target } = await resolveStoreFile(path);
  const directory = dirname(target);
  await removeOrphanedTemporaryFiles(directory, basename(target));
  const existing = await lstat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const requested = options.mode ?? 0o600;
  const uid = process.getuid?.();
  const foreign = existing !== undefined && uid !== undefined && existing.uid !== uid;
  const mode = foreign ? existing.mode & 0o777 & ~(0o007 & ~requested) : requested;
  const temporary = join(
    directory,
    `${basename(target)}.${process.pid}.${randomHex(6)}${TEMPORARY_FILE_SUFFIX}`,
  );
  const handle = await open(temporary, 'wx', foreign ? mode & 0o700 : mode);
  try {
    try {
      if (foreign) await giveTo(handle, target, existing, mode);
      else if (existing !== undefined)
        await handle.chown(existing.uid, existing.gid).catch(() => {});
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

/**
 * The temporary files of `path`'s writers still in its directory: what a writer killed mid-write
 * leaves behind (it holds secrets). Names only; includes the `.<name>.<pid>.<hex>.tmp` form older
 * versions used.
 */
export async function listTemporaryFiles(path: string): Promise<string[]> {
  const directory = dirname(path);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return [];
  }
  return names
    .filter((name) => temporaryFilePid(name, basename(path)) !== undefined)
    .map((name) => join(directory, name));
}

// Root saving the bot user's file: the new file goes to the same owner and group, with the old mode
// minus the "other" bits not granted, so the bot can still read it and nobody else can.
async function giveTo(
  handle: Awaited<ReturnType<typeof open>>,
  target: string,
  existing: { uid: number; gid: number },
  mode: number,
): Promise<void> {
  try {
    await handle.chown(existing.uid, existing.gid);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EACCES') throw error;
    throw fileError(
      'EFOREIGNOWNER',
      `${target} belongs to another user (uid ${existing.uid}); replacing it would make it yours and ` +
        'could lock that user out. Run exkeys as that user (or as root).',
    );
  }
  await handle.chmod(mode);
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

type LockState = LockOwner | 'missing' | 'unreadable' | { unreadable: 'EACCES'; uid: number };

async function readLock(lockPath: string): Promise<LockState> {
  let content: Buffer | undefined;
  try {
    content = await readFileIfExists(lockPath, { maxBytes: 4096 });
  } catch (error) {
    // Another user's lock (mode 0600): we cannot read who holds it, only who owns the file.
    const info = await stat(lockPath).catch(() => undefined);
    if (info === undefined) return 'missing';
    if ((error as NodeJS.ErrnoException).code === 'EACCES') {
      return { unreadable: 'EACCES', uid: info.uid };
    }
    return 'unreadable';
  }
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

async function isStale(lockPath: string, holder: Exclude<LockState, 'missing'>): Promise<boolean> {
  // A lock we may not read belongs to a user whose processes we cannot check: never stale.
  if (typeof holder === 'object' && 'unreadable' in holder) return false;
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
// Returns true once the lock is gone, false when it is not ours to break now, or the error that kept
// a stale lock in place (another user's file in a sticky directory).
async function breakLock(
  lockPath: string,
  stale: Exclude<LockState, 'missing'>,
): Promise<boolean | NodeJS.ErrnoException> {
  const breaker = `${lockPath}.break`;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(breaker, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return error as NodeJS.ErrnoException;
    // A breaker killed mid-way leaves its file behind; it is only ever held for a moment.
    const info = await stat(breaker).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs > UNREADABLE_STALE_MS) {
      const failure = await unlink(breaker).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e,
      );
      if (failure !== undefined && failure.code !== 'ENOENT') return failure;
    }
    return false;
  }
  try {
    const current = await readLock(lockPath);
    if (current === 'missing') return true;
    const same =
      current === 'unreadable'
        ? stale === 'unreadable'
        : typeof stale === 'object' &&
          'token' in stale &&
          'token' in current &&
          current.token === stale.token;
    if (!same || !(await isStale(lockPath, current))) return false;
    try {
      await unlink(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      return error as NodeJS.ErrnoException;
    }
    return true;
  } finally {
    await handle.close();
    await unlink(breaker).catch(() => undefined);
  }
}

function lockTimeout(
  lockPath: string,
  holder: LockState,
  timeoutMs: number,
  unbreakable: NodeJS.ErrnoException | undefined,
): Error {
  const found: LockHolder = {};
  if (typeof holder === 'object' && 'token' in holder) {
    found.pid = holder.pid;
    found.host = holder.host;
  } else if (typeof holder === 'object') {
    found.uid = holder.uid;
  }
  const parts = [
    found.pid === undefined ? undefined : `process ${found.pid}`,
    found.host === undefined ? undefined : `on ${found.host}`,
    found.uid === undefined ? undefined : `(lock file owned by uid ${found.uid})`,
  ].filter((part) => part !== undefined);
  const by = parts.length > 0 ? ` by ${parts.join(' ')}` : '';
  const next =
    unbreakable !== undefined
      ? `The lock is stale but could not be removed (${unbreakable.code ?? 'error'}): it belongs to ` +
        'another user in a shared directory. Ask its owner or root to delete it, or keep the file in a ' +
        'directory of your own.'
      : typeof holder === 'object' && 'unreadable' in holder
        ? 'It belongs to another user, whose process exkeys cannot check. Ask its owner or root to ' +
          'delete it if no exkeys process of theirs is running, or keep the file in a directory of your own.'
        : 'Wait for the other exkeys process to finish; if none is running, delete the lock file.';
  const error = new Error(
    `Timed out after ${timeoutMs} ms waiting for the lock ${lockPath}, held${by}. ${next}`,
  ) as NodeJS.ErrnoException & { holder: LockHolder };
  error.code = 'ELOCKED';
  error.holder = found;
  return error;
}

// `<name>.<pid>.<hex12>.exkeys-tmp`, or the `.<name>.<pid>.<hex12>.tmp` of older versions.
function temporaryFilePid(name: string, base: string): number | undefined {
  let rest: string;
  if (name.startsWith(`${base}.`) && name.endsWith(TEMPORARY_FILE_SUFFIX)) {
    rest = name.slice(base.length + 1, -TEMPORARY_FILE_SUFFIX.length);
  } else if (name.startsWith(`.${base}.`) && name.endsWith('.tmp')) {
    rest = name.slice(base.length + 2, -'.tmp'.length);
  } else {
    return undefined;
  }
  const match = /^(\d+)\.[0-9a-f]{12}$/.exec(rest);
  const pid = Number(match?.[1]);
  return match !== null && pid > 0 ? pid : undefined;
}

async function removeOrphanedTemporaryFiles(directory: string, base: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = temporaryFilePid(name, base);
    if (pid !== undefined && pid !== process.pid && !isProcessAlive(pid)) {
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
