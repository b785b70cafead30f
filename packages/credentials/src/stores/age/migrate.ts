/**
 * Moving an age keystore between keys and formats: a new passphrase, a plaintext `.env` into a
 * keystore, and a keystore back into a plaintext `.env`. Each runs under the file locks and never
 * leaves a half-written file behind.
 * @module
 */
import { lstat, unlink } from 'node:fs/promises';
import { KeystoreError } from '../../errors.js';
import { withFileLock, writeFileAtomic } from '../atomic-file.js';
import { decodeKeepingBytes } from '../dotenv/dotenv-bytes.js';
import { DotenvDocument } from '../dotenv/dotenv-document.js';
import { readFileIfExists, resolveStoreFile } from '../store-file.js';
import {
  type AgeStoreOptions,
  corrupted,
  decryptKeystore,
  encryptText,
  ioError,
  loadAge,
  recipientsFile,
} from './age-file.js';
import { Keystore } from './keystore.js';

/**
 * Re-encrypts the keystore with `newPassphrase`. The keystore is opened with the key `options`
 * resolve to (a passphrase or an identity, so this also converts an identity keystore). The new file
 * is written to a temporary file, proven to decrypt with the new passphrase (a fresh scrypt), and only
 * then renamed over the old one: a crash at any moment leaves a keystore that opens with the old or
 * the new passphrase.
 */
export async function changeKeystorePassphrase(
  options: AgeStoreOptions,
  newPassphrase: string,
): Promise<void> {
  if (newPassphrase === '')
    throw new KeystoreError('no-key', 'The new passphrase is empty: choose a passphrase.');
  const keystore = new Keystore(options);
  const target = new Keystore({
    ...options,
    identity: undefined,
    identityFile: undefined,
    passphrase: newPassphrase,
  });
  const newKey = await target.key();
  const prepared = target.prepareScrypt();
  await keystore.locked(async () => {
    const file = await keystore.readFile();
    if (file === undefined) {
      throw new KeystoreError(
        'io',
        `There is no age keystore at ${keystore.path} to change the passphrase of.`,
      );
    }
    const { document } = await keystore.open(file);
    const text = document.toString();
    const encrypter = new (await loadAge()).Encrypter();
    encrypter.addRecipient(await prepared);
    const next = await encryptText(encrypter, text);
    // A fresh identity re-derives the key from the new passphrase: no cached key vouches for itself.
    if ((await decryptKeystore(keystore.path, next, newKey)) !== text) {
      throw corrupted(keystore.path, 'the re-encrypted keystore did not read back identically');
    }
    await keystore.commit(next, null);
    if ((await keystore.readSidecar()) !== null) {
      await unlink(recipientsFile(keystore.path)).catch(() => {});
    }
  });
}

/** Options of {@link migrateEnvToKeystore}. */
export interface MigrateToKeystoreOptions {
  /**
   * Delete the plaintext `.env` once the keystore is written and verified. A symlink is deleted
   * together with the file it leads to. A file with other hard links is unlinked at `envPath` only:
   * its content stays reachable through the other names, which {@link MigrationResult.otherHardLinks}
   * counts.
   * @default false
   */
  deleteEnvFile?: boolean;
}

/** What a migration moved. Names only, never values. */
export interface MigrationResult {
  /** The file written. */
  path: string;
  /** The variables it holds. */
  names: string[];
  /**
   * The plaintext files deleted (`migrateEnvToKeystore` with `deleteEnvFile`): the `.env`, and the
   * file it linked to when it was a symlink. Empty otherwise.
   */
  deleted: string[];
  /**
   * How many other hard links of the `.env` still hold the plaintext after `deleteEnvFile` (0 when
   * it is gone); find them with `find / -xdev -inum <inode>`.
   */
  otherHardLinks: number;
  /** The inode of the deleted `.env` file, to find its other hard links; `undefined` otherwise. */
  inode?: number;
}

/**
 * Encrypts the `.env` file at `envPath` into a new keystore at `options.path`, every line kept
 * (comments, rotation metadata, unrelated variables). Refuses to overwrite an existing keystore.
 * Encrypts to a passphrase or to recipients, depending on the key `options` resolve to.
 */
export async function migrateEnvToKeystore(
  envPath: string,
  options: AgeStoreOptions,
  migrate: MigrateToKeystoreOptions = {},
): Promise<MigrationResult> {
  const keystore = new Keystore(options);
  const key = await keystore.key();
  const prepared = key.kind === 'passphrase' ? keystore.prepareScrypt() : null;
  const { target, symlink } = await resolveStoreFile(envPath).catch((error: unknown) => {
    throw ioError(envPath, error);
  });
  const deleted: string[] = [];
  let otherHardLinks = 0;
  let inode: number | undefined;
  const names = await keystore.locked(async () => {
    if ((await keystore.readFile()) !== undefined) {
      throw new KeystoreError(
        'io',
        `Refusing to migrate into ${keystore.path}: a keystore already exists there. Write the variables with ` +
          'ageStore(...).write(), or move the old keystore away first.',
      );
    }
    const source = await withFileLock(target, () => readFileIfExists(target)).catch(
      (error: unknown) => {
        throw ioError(envPath, error);
      },
    );
    if (source === undefined)
      throw new KeystoreError('io', `There is no .env file at ${envPath} to migrate.`);
    const text = source.toString('utf8');
    if (decodeKeepingBytes(source) !== text) {
      throw new KeystoreError(
        'io',
        `${envPath} holds bytes that are not UTF-8 text, which an age keystore cannot keep exactly. ` +
          'Nothing was changed. Convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8) and try again.',
      );
    }
    const document = DotenvDocument.parse(text);
    if (key.kind === 'passphrase') {
      await keystore.commit(await keystore.encrypt(text, await prepared!, key), null);
    } else {
      const recipients = await keystore.recipientsForWrite(key, null);
      await keystore.commit(await keystore.encrypt(text, recipients, key), recipients);
    }
    if (migrate.deleteEnvFile) {
      await withFileLock(target, async () => {
        const info = await lstat(target);
        otherHardLinks = info.nlink - 1;
        inode = info.ino;
        await unlink(target);
        deleted.push(target);
        if (symlink) {
          await unlink(envPath);
          deleted.push(envPath);
        }
      }).catch((error: unknown) => {
        throw ioError(envPath, error);
      });
    }
    return document.names();
  });
  return {
    path: keystore.path,
    names,
    deleted,
    otherHardLinks,
    ...(inode === undefined ? {} : { inode }),
  };
}

/** Options of {@link migrateKeystoreToEnv}. */
export interface MigrateToEnvOptions {
  /**
   * Replace an existing `.env` file. Without it an existing file is never overwritten.
   * @default false
   */
  overwrite?: boolean;
}

/**
 * Decrypts the keystore at `options.path` into a plaintext `.env` file at `envPath` (mode 0600), every
 * line kept. The only place exkeys ever writes decrypted values to disk. The keystore is left as is.
 */
export async function migrateKeystoreToEnv(
  options: AgeStoreOptions,
  envPath: string,
  migrate: MigrateToEnvOptions = {},
): Promise<MigrationResult> {
  const keystore = new Keystore(options);
  const file = await keystore.readFile();
  if (file === undefined)
    throw new KeystoreError('io', `There is no age keystore at ${keystore.path} to decrypt.`);
  const { document } = await keystore.open(file);
  try {
    await withFileLock(envPath, async () => {
      if (!migrate.overwrite && (await readFileIfExists(envPath)) !== undefined) {
        throw new KeystoreError(
          'io',
          `Refusing to overwrite ${envPath}: it already exists. Move it away or pass { overwrite: true }.`,
        );
      }
      await writeFileAtomic(envPath, document.toString(), { mode: 0o600 });
    });
  } catch (error) {
    throw ioError(envPath, error);
  }
  return { path: envPath, names: document.names(), deleted: [], otherHardLinks: 0 };
}
