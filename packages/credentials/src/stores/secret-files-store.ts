/**
 * The secret-files store: one file per variable, the way Docker (Compose, Swarm) and Kubernetes mount
 * secrets under `/run/secrets` and systemd delivers credentials under `$CREDENTIALS_DIRECTORY`. Read-only: mounted secrets are changed where they are defined.
 * @module
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KeystoreError } from '../errors.js';
import type { CredentialStore, StoredVariableInfo, StoreSnapshot } from './store.js';
import { MAX_SECRET_FILE_BYTES, readFileIfExists } from './store-file.js';

// Only names a shell could export. Kubernetes' `..data` and `..2024_…` entries start with a dot.
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A secret file is a few hundred bytes at most; anything bigger was mounted by mistake.

function readOnly(dir: string, action: string): KeystoreError {
  return new KeystoreError(
    'read-only',
    `Cannot ${action}: the secret-files store ${dir} is read-only, its files are mounted secrets. ` +
      'Update the secret where it is defined and restart the container: with Docker Compose edit the ' +
      'file named under `secrets:` and run `docker compose up -d`; with Swarm `docker secret create` a new ' +
      'version and `docker service update --secret-rm OLD --secret-add NEW`; with Kubernetes ' +
      '`kubectl create secret generic NAME --from-file=... --dry-run=client -o yaml | kubectl apply -f -` ' +
      'then `kubectl rollout restart`.',
  );
}

function ioError(what: string, error: unknown): KeystoreError {
  const code = (error as NodeJS.ErrnoException)?.code ?? 'unknown error';
  return new KeystoreError(
    'io',
    `Cannot read ${what} (${code}). Check that it exists and is readable by this user.`,
    {
      cause: error,
    },
  );
}

// A mount time is not a rotation time, so it is reported as unknown.
function unknownRotation(names: readonly string[]): StoredVariableInfo[] {
  return names.map((name) => ({ name, rotatedAt: null }));
}

function trimOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/**
 * A read-only store over a directory of secret files, such as `/run/secrets`. Each regular file (or
 * symlink to one) whose name is a variable name becomes a variable; its content, minus one trailing
 * newline, is the value. Dotfiles, directories, files over 64 KiB and Kubernetes' `..data` bookkeeping
 * are ignored. A missing directory reads as empty. `write` and `delete` throw `KeystoreError` code `read-only`.
 *
 * Without `dir`, it reads `$CREDENTIALS_DIRECTORY` when that is set (systemd's `LoadCredential=` and
 * `LoadCredentialEncrypted=` deliver credentials there, one file per credential name), else
 * `/run/secrets`.
 *
 * For a single variable, `loadApiKeys` also resolves `NAME_FILE=/run/secrets/name`.
 *
 * @param dir - The directory holding the files. @default process.env.CREDENTIALS_DIRECTORY || '/run/secrets'
 * @example
 * ```ts
 * await loadApiKeys({ stores: [secretFilesStore('/run/secrets')] });
 * ```
 */
export function secretFilesStore(
  dir: string = process.env.CREDENTIALS_DIRECTORY || '/run/secrets',
): CredentialStore & { readonly kind: 'secret-files' } {
  async function entries(): Promise<string[]> {
    let found: Dirent[];
    try {
      found = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError(`the secrets directory ${dir}`, error);
    }
    const names: string[] = [];
    for (const entry of found) {
      if (!VARIABLE_NAME.test(entry.name)) continue;
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      // Kubernetes mounts each key as a symlink into `..data/`: follow it, keep regular files only.
      const info = await stat(join(dir, entry.name)).catch(() => null);
      if (info?.isFile() && info.size <= MAX_SECRET_FILE_BYTES) names.push(entry.name);
    }
    return names.sort();
  }

  async function readAll(): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    for (const name of await entries()) {
      const file = join(dir, name);
      try {
        // Read through the open descriptor: the file checked above may since have been swapped.
        const content = await readFileIfExists(file, { maxBytes: MAX_SECRET_FILE_BYTES });
        if (content !== undefined) values.set(name, trimOneNewline(content.toString('utf8')));
      } catch (error) {
        throw ioError(`the secret file ${file}`, error);
      }
    }
    return values;
  }

  return {
    kind: 'secret-files',
    location: dir,
    readOnly: true,
    readAll,
    async write() {
      throw readOnly(dir, 'write credentials');
    },
    async delete() {
      throw readOnly(dir, 'delete credentials');
    },
    async list(): Promise<StoredVariableInfo[]> {
      return unknownRotation(await entries());
    },
    async snapshot(): Promise<StoreSnapshot> {
      const values = await readAll();
      return { values, variables: unknownRotation([...values.keys()]) };
    },
  };
}
