/**
 * How a file-backed store opens the user's file when the file itself may be hostile: a symlink
 * planted by another user is refused (as ssh refuses such files), the user's own symlink is resolved
 * to the file it names, and only a regular file of bounded size is read (a FIFO, a device or a huge
 * file can neither hang the process nor fill its memory).
 *
 * Like `atomic-file.ts`, these helpers throw plain Node errors with an errno-style `code` (`EISDIR`,
 * `ENOTREG`, `EFBIG`, `EFOREIGNLINK`, `ELOOP`) and a message that says what to do; each store wraps
 * them in its own error type.
 * @module
 */
import { constants } from 'node:fs';
import { lstat, open, readlink, realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** The largest store file (`.env`) exkeys reads: 1 MiB. A credentials file is a few kilobytes. */
export const MAX_STORE_FILE_BYTES = 1024 * 1024;

/**
 * The largest single secret file exkeys reads (a `*_FILE` target, one file of a secrets directory):
 * 64 KiB. An API secret, even a PEM private key, is a few kilobytes.
 */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** Options of {@link readFileIfExists}. */
export interface ReadStoreFileOptions {
  /**
   * Refuse (code `EFBIG`) a file larger than this many bytes, before reading any of it.
   * @default MAX_STORE_FILE_BYTES
   */
  maxBytes?: number;
}

/** Where a store path leads. */
export interface ResolvedStoreFile {
  /** The file to read, lock and replace: `path` itself, or the file its symlinks lead to. */
  target: string;
  /** True when `path` is a symlink. */
  symlink: boolean;
}

const MAX_LINK_HOPS = 40;

/** A plain error carrying an errno-style `code`, as the `node:fs` functions throw. */
export function fileError(code: string, message: string): NodeJS.ErrnoException {
  const error = new Error(message) as NodeJS.ErrnoException;
  error.code = code;
  return error;
}

/**
 * Follows the symlinks at `path` to the file they lead to. Every link on the way must belong to the
 * current user or to root: a link owned by anyone else could redirect our writes (or our secrets)
 * wherever its owner likes, so it is refused with `EFOREIGNLINK`. A missing path resolves to itself;
 * a link to a missing file resolves to that file, which the first write creates.
 */
export async function resolveStoreFile(path: string): Promise<ResolvedStoreFile> {
  const uid = process.getuid?.();
  let current = resolve(path);
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    let info: Awaited<ReturnType<typeof lstat>>;
    try {
      info = await lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return { target: current, symlink: hop > 0 };
    }
    if (!info.isSymbolicLink()) {
      if (hop === 0) return { target: current, symlink: false };
      return { target: await realpath(current), symlink: true };
    }
    if (uid !== undefined && info.uid !== uid && info.uid !== 0) {
      throw fileError(
        'EFOREIGNLINK',
        `${current} is a symlink owned by another user (uid ${info.uid}), who could point it anywhere. ` +
          'exkeys refuses it, as ssh refuses such files: replace it with a file or a link of your own.',
      );
    }
    current = resolve(dirname(current), await readlink(current));
  }
  throw fileError(
    'ELOOP',
    `${path} leads through more than ${MAX_LINK_HOPS} symlinks. Point it at the file directly.`,
  );
}

/**
 * The content of `path`, or `undefined` when it does not exist. Only a regular file is read: the
 * file is opened without blocking (a FIFO without a writer cannot hang us), checked with `fstat` on
 * the open descriptor, and read up to `maxBytes`, never more.
 * @throws An `Error` with `code` `EISDIR` (a directory), `ENOTREG` (a FIFO, device or socket) or
 * `EFBIG` (over `maxBytes`), or the file system error that prevented reading it.
 */
export async function readFileIfExists(
  path: string,
  options: ReadStoreFileOptions = {},
): Promise<Buffer | undefined> {
  const maxBytes = options.maxBytes ?? MAX_STORE_FILE_BYTES;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) {
      throw fileError('EISDIR', `${path} is a directory, not a file.`);
    }
    if (!info.isFile()) {
      throw fileError(
        'ENOTREG',
        `${path} is ${fileKind(info)}, not a regular file; exkeys reads keys only from regular files.`,
      );
    }
    if (info.size > maxBytes) throw tooBig(path, maxBytes);
    // The size may change between fstat and read: stop as soon as the limit is passed.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(info.size, 4096), maxBytes + 1 - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > maxBytes) throw tooBig(path, maxBytes);
    }
    return Buffer.concat(chunks, length);
  } finally {
    await handle.close();
  }
}

function tooBig(path: string, maxBytes: number): NodeJS.ErrnoException {
  return fileError(
    'EFBIG',
    `${path} is larger than ${maxBytes} bytes, the limit for a credentials file; it is probably not ` +
      'the file you meant. Pass the path of your .env file.',
  );
}

function fileKind(info: {
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}
