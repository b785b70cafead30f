/**
 * The `.env` file store. Writes edit the file in place (every unrelated line survives byte for byte),
 * under a cross-process lock, and replace the file atomically with mode 0600.
 * @module
 */

import { CredentialsError, ExkeysError } from '../../errors.js';
import { withFileLock, writeFileAtomic } from '../atomic-file.js';
import type {
  CredentialStore,
  StoreChanges,
  StoredVariableInfo,
  StoreSnapshot,
  StoreWriteOptions,
} from '../store.js';
import { MAX_STORE_FILE_BYTES, readFileIfExists, resolveStoreFile } from '../store-file.js';
import { decodeKeepingBytes, encodeKeepingBytes } from './dotenv-bytes.js';
import { DotenvDocument } from './dotenv-document.js';

/** Options of {@link dotenvStore}. */
export interface DotenvStoreOptions {
  /**
   * How long a write waits for another process holding the file's lock before failing with `io`.
   * @default 10000
   */
  lockTimeoutMs?: number;
}

/**
 * A {@link CredentialStore} backed by the `.env` file at `path`. A missing file reads as empty and is
 * created (mode 0600) by the first write; an existing file of ours is rewritten with mode 0600 as
 * well, while one owned by another user (root saving the bot's `.env`) keeps its owner, group and
 * mode minus the "other" bits. Rotation times are kept in `# exkeys:rotated-at NAME ISO` comments,
 * which dotenv ignores.
 *
 * Hostile files: a symlink owned by another user is refused; a symlink of the user's own is
 * followed, and the lock is taken on the file it leads to, so writers through either path never
 * lose each other's updates. Only a regular file up to {@link MAX_STORE_FILE_BYTES} (1 MiB) is read.
 * Lines holding bytes that are not UTF-8 are written back byte for byte.
 * @throws {CredentialsError} `io` (with the path and what to do) when the file cannot be read or
 * written, `unrepresentable-value` when a value cannot be written so that dotenv reads it back exactly.
 */
export function dotenvStore(path: string, options: DotenvStoreOptions = {}): CredentialStore {
  async function load(): Promise<DotenvDocument> {
    const content = await io('read', path, async () =>
      readFileIfExists((await resolveStoreFile(path)).target, { maxBytes: MAX_STORE_FILE_BYTES }),
    );
    // Read as dotenv reads it: invalid UTF-8 becomes U+FFFD in the values handed out.
    return DotenvDocument.parse(content?.toString('utf8') ?? '');
  }

  async function update(
    changes: StoreChanges,
    writeOptions: StoreWriteOptions = {},
  ): Promise<void> {
    const lock = { timeoutMs: options.lockTimeoutMs ?? 10_000 };
    await io('update', path, async () => {
      // Two paths to one file (a symlink and its target) must share one lock.
      const { target } = await resolveStoreFile(path);
      await withFileLock(
        target,
        async () => {
          const content = await readFileIfExists(target, { maxBytes: MAX_STORE_FILE_BYTES });
          const before = content === undefined ? '' : decodeKeepingBytes(content);
          const document = DotenvDocument.parse(before);
          document.apply(changes, writeOptions.rotatedAt);
          const after = document.toString();
          if (after === before) return;
          await writeFileAtomic(target, encodeKeepingBytes(after));
        },
        lock,
      );
    });
  }

  return {
    kind: 'dotenv',
    location: path,
    readOnly: false,
    async readAll() {
      return (await load()).values();
    },
    write: update,
    async delete(names) {
      await update(Object.fromEntries(names.map((name) => [name, null])));
    },
    async list(): Promise<StoredVariableInfo[]> {
      return (await load()).variables();
    },
    async snapshot(): Promise<StoreSnapshot> {
      return (await load()).snapshot();
    },
  };
}

// File system failures become `io` errors naming the file; exkeys errors pass through unchanged.
async function io<T>(action: 'read' | 'update', path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (ExkeysError.isInstance(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CredentialsError(
      'io',
      `Could not ${action} the .env file ${path}: ${advice(code, error)}`,
      {
        cause: error,
      },
    );
  }
}

function advice(code: string | undefined, error: unknown): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied. Check the owner and mode of the file and its directory.';
    case 'ENOENT':
      return 'its directory does not exist. Create it first or choose another path.';
    case 'EISDIR':
      return 'it is a directory. Pass the path of a file, e.g. .env.';
    case 'EROFS':
      return 'the file system is read-only. Choose a writable location.';
    case 'ENOSPC':
      return 'the disk is full. Free some space and try again.';
    case 'ELOCKED':
    case 'ENOTREG':
    case 'EFBIG':
    case 'EFOREIGNLINK':
    case 'EFOREIGNOWNER':
    case 'ELOOP':
      return (error as Error).message;
    default:
      return `${code ?? 'unexpected error'}. Check that the path is a readable, writable file.`;
  }
}
