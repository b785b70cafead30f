/**
 * The `.env` file store. Writes edit the file in place (every unrelated line survives byte for byte),
 * under a cross-process lock, and replace the file atomically with mode 0600.
 * @module
 */

import { CredentialsError, ExkeysError } from '../../errors.js';
import { readFileIfExists, withFileLock, writeFileAtomic } from '../atomic-file.js';
import type {
  CredentialStore,
  StoreChanges,
  StoredVariableInfo,
  StoreSnapshot,
  StoreWriteOptions,
} from '../store.js';
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
 * created (mode 0600) by the first write; an existing file is rewritten with mode 0600 as well.
 * Rotation times are kept in `# exkeys:rotated-at NAME ISO` comments, which dotenv ignores.
 * @throws {CredentialsError} `io` (with the path and what to do) when the file cannot be read or
 * written, `unrepresentable-value` when a value cannot be written so that dotenv reads it back exactly.
 */
export function dotenvStore(path: string, options: DotenvStoreOptions = {}): CredentialStore {
  async function load(): Promise<DotenvDocument> {
    const content = await io('read', path, () => readFileIfExists(path));
    return DotenvDocument.parse(content?.toString('utf8') ?? '');
  }

  async function update(
    changes: StoreChanges,
    writeOptions: StoreWriteOptions = {},
  ): Promise<void> {
    const lock = { timeoutMs: options.lockTimeoutMs ?? 10_000 };
    await io('update', path, () =>
      withFileLock(
        path,
        async () => {
          const content = await readFileIfExists(path);
          const before = content?.toString('utf8') ?? '';
          const document = DotenvDocument.parse(before);
          document.apply(changes, writeOptions.rotatedAt);
          const after = document.toString();
          if (after === before) return;
          await writeFileAtomic(path, after);
        },
        lock,
      ),
    );
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
      return (error as Error).message;
    default:
      return `${code ?? 'unexpected error'}. Check that the path is a readable, writable file.`;
  }
}
