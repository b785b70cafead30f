/**
 * The age keystore: a `.env` document encrypted with age (age-encryption.org/v1), opened with a
 * passphrase or with X25519 identities. Decrypted with the `age` CLI it is a valid `.env`, rotation
 * comments included. Teams encrypt it to several recipients, listed in a `<path>.recipients` file.
 * @module
 */
import { unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Decrypter, Recipient } from 'age-encryption';
import { ExkeysError, KeystoreError } from '../../errors.js';
import { readFileIfExists, withFileLock, writeFileAtomic } from '../atomic-file.js';
import { DotenvDocument } from '../dotenv/dotenv-document.js';
import type { CredentialStore, StoredVariableInfo, StoreWriteOptions } from '../store.js';
import { type AgeKey, type AgeKeySources, resolveAgeKey } from './age-identity.js';
import { DEFAULT_SCRYPT_WORK_FACTOR, NativeScryptIdentity } from './age-scrypt.js';

/** Options of {@link ageStore} and of the keystore functions. */
export interface AgeStoreOptions extends AgeKeySources {
  /** The keystore file, e.g. `.env.age`. */
  path: string;
  /**
   * Recipients (`age1…`) to encrypt to when the keystore has no `<path>.recipients` file yet. Once
   * that file exists it is the list, changed with `addRecipient`/`removeRecipient`/`setRecipients`.
   * Without either, an identity-opened keystore is encrypted to that identity alone.
   */
  recipients?: readonly string[];
  /**
   * The scrypt work factor, log2(N), of passphrase encryption. Lower it only for tests.
   * @default 18
   */
  scryptWorkFactor?: number;
}

/** An age keystore: a {@link CredentialStore} with recipient management. */
export interface AgeStore extends CredentialStore {
  readonly kind: 'age';
  /** The recipients the keystore is encrypted to on its next write; `[]` for a passphrase keystore. */
  recipients(): Promise<string[]>;
  /** Adds a recipient (`age1…`) and re-encrypts the keystore so its identity can open it. */
  addRecipient(recipient: string): Promise<void>;
  /** Removes a recipient and re-encrypts. Refuses to remove the last one, or your own. */
  removeRecipient(recipient: string): Promise<void>;
  /**
   * Replaces the recipient list and re-encrypts. On a passphrase keystore this switches it to
   * recipients: the passphrase no longer opens it afterwards.
   */
  setRecipients(recipients: readonly string[]): Promise<void>;
}

const LOCK_TIMEOUT_MS = 60_000;
const SIDECAR_SUFFIX = '.recipients';

/** The file listing a keystore's recipients, one `age1…` per line (`age -R` reads it too). */
export function recipientsFile(path: string): string {
  return `${path}${SIDECAR_SUFFIX}`;
}

function noKey(path: string): KeystoreError {
  return new KeystoreError(
    'no-key',
    `No key to open the age keystore ${path}. Pass \`passphrase\` or \`identity\`/\`identityFile\` to ageStore, ` +
      'or set EXKEYS_PASSPHRASE (or EXKEYS_PASSPHRASE_FILE), EXKEYS_AGE_IDENTITY or EXKEYS_AGE_IDENTITY_FILE, ' +
      'or keep your identity in ' +
      '~/.config/exkeys/age-identity.txt (mode 0600).',
  );
}

function corrupted(path: string, why: string, cause?: unknown): KeystoreError {
  return new KeystoreError(
    'corrupted',
    `The age keystore ${path} is damaged: ${why}. Nothing was changed. Restore it from a backup or from ` +
      'version control, or ask a teammate who holds a copy to re-encrypt it.',
    cause === undefined ? {} : { cause },
  );
}

// Errors of our own (wrong key, unrepresentable value…) pass through unchanged.
function ioError(path: string, error: unknown): Error {
  if (ExkeysError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException)?.code;
  const detail = code === 'ELOCKED' ? (error as Error).message : `${code ?? 'unknown error'}`;
  return new KeystoreError('io', `Cannot access the age keystore ${path}: ${detail}.`, {
    cause: error,
  });
}

/** The stanza types in an age header (`X25519`, `scrypt`…), or `null` when it is not one. */
function stanzaTypes(file: Uint8Array): string[] | null {
  const head = Buffer.from(file.subarray(0, 64 * 1024)).toString('latin1');
  const end = head.indexOf('\n---');
  if (!head.startsWith('age-encryption.org/v1\n') || end === -1) return null;
  return [...head.slice(0, end).matchAll(/^-> (\S+)/gm)].map((m) => m[1]!);
}

function wrongKey(path: string, key: AgeKey, types: readonly string[]): KeystoreError {
  const byPassphrase = types.includes('scrypt');
  let why: string;
  if (key.kind === 'passphrase') {
    why = byPassphrase
      ? `the passphrase from ${key.source} is wrong`
      : `it is encrypted to age recipients, not a passphrase, so unlock it with an identity (the passphrase came from ${key.source})`;
  } else {
    why = byPassphrase
      ? `it is encrypted with a passphrase, not to identities, so unlock it with a passphrase (the identity came from ${key.source})`
      : `the identity from ${key.source} is not one of its ${types.length} recipient(s); ask a teammate to add your recipient with addRecipient`;
  }
  return new KeystoreError('wrong-key', `Wrong key for the age keystore ${path}: ${why}.`);
}

// age-encryption (and its noble crypto) costs ~80 ms to import: load it only when a keystore is opened.
const loadAge = () => import('age-encryption');

async function decrypterFor(key: AgeKey, scrypt: NativeScryptIdentity | null): Promise<Decrypter> {
  const decrypter = new (await loadAge()).Decrypter();
  if (key.kind === 'passphrase')
    decrypter.addIdentity(scrypt ?? new NativeScryptIdentity(key.passphrase));
  else for (const { identity } of key.identities) decrypter.addIdentity(identity);
  return decrypter;
}

/** Decrypts a keystore file to its `.env` text. Every failure is a `KeystoreError`. */
async function decryptKeystore(
  path: string,
  file: Uint8Array,
  key: AgeKey,
  scrypt: NativeScryptIdentity | null = null,
): Promise<string> {
  let bytes = file;
  if (
    Buffer.from(file.subarray(0, 40))
      .toString('latin1')
      .startsWith('-----BEGIN AGE ENCRYPTED FILE-----')
  ) {
    try {
      bytes = (await loadAge()).armor.decode(Buffer.from(file).toString('latin1'));
    } catch (error) {
      throw corrupted(path, 'its ASCII armor is invalid', error);
    }
  }
  if (bytes.length === 0) throw corrupted(path, 'it is empty');
  const types = stanzaTypes(bytes);
  if (types === null) {
    throw corrupted(
      path,
      'it is not an age-encrypted file (to encrypt an existing .env, use migrateEnvToKeystore)',
    );
  }
  let plaintext: Uint8Array;
  try {
    plaintext = await (await decrypterFor(key, scrypt)).decrypt(bytes);
  } catch (error) {
    if (error instanceof Error && /no identity matched/.test(error.message))
      throw wrongKey(path, key, types);
    throw corrupted(
      path,
      `age could not decrypt it (${error instanceof Error ? error.message : 'unknown error'})`,
      error,
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch {
    throw corrupted(path, 'its content is not UTF-8 text');
  }
}

function parseRecipients(text: string, source: string): string[] {
  const list: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!/^age1[0-9a-z]+$/.test(line)) {
      throw new KeystoreError(
        'corrupted',
        `Line ${i + 1} of ${source} is not an age recipient (expected age1…). Fix or remove that line.`,
      );
    }
    list.push(line);
  }
  return list;
}

function checkRecipient(recipient: string): void {
  // Bech32 with the `age` prefix: the shape age-keygen prints.
  if (!/^age1(?:pq1)?[02-9ac-hj-np-z]{58,}$/.test(recipient)) {
    throw new TypeError(
      `"${recipient.slice(0, 12)}…" is not an age recipient: expected age1… (the public key printed by age-keygen).`,
    );
  }
}

/** What one locked read-modify-write of a keystore works with. */
interface Opened {
  document: DotenvDocument;
  /** Stanza types of the current file, or `null` when it does not exist yet. */
  types: string[] | null;
}

/** The shared machinery of {@link ageStore} and the keystore functions. */
class Keystore {
  readonly path: string;
  readonly #options: AgeStoreOptions;
  #key: Promise<AgeKey> | undefined;
  #scrypt: NativeScryptIdentity | null = null;

  constructor(options: AgeStoreOptions) {
    if (!options.path) throw new TypeError('ageStore: `path` is required');
    this.path = options.path;
    this.#options = options;
    for (const recipient of options.recipients ?? []) checkRecipient(recipient);
  }

  get logN(): number {
    return this.#options.scryptWorkFactor ?? DEFAULT_SCRYPT_WORK_FACTOR;
  }

  key(): Promise<AgeKey> {
    this.#key ??= resolveAgeKey(this.#options).then(
      (key) => {
        if (key === null) throw noKey(this.path);
        if (key.kind === 'passphrase') this.#scrypt = new NativeScryptIdentity(key.passphrase);
        return key;
      },
      (error: unknown) => {
        this.#key = undefined;
        throw error;
      },
    );
    return this.#key;
  }

  async readFile(): Promise<Uint8Array | undefined> {
    try {
      return await readFileIfExists(this.path);
    } catch (error) {
      throw ioError(this.path, error);
    }
  }

  async open(file: Uint8Array | undefined): Promise<Opened> {
    if (file === undefined) return { document: DotenvDocument.parse(''), types: null };
    const text = await decryptKeystore(this.path, file, await this.key(), this.#scrypt);
    return { document: DotenvDocument.parse(text), types: stanzaTypes(file) ?? [] };
  }

  async readSidecar(): Promise<string[] | null> {
    const file = recipientsFile(this.path);
    const bytes = await readFileIfExists(file).catch((error: unknown) => {
      throw ioError(file, error);
    });
    return bytes === undefined ? null : parseRecipients(bytes.toString('utf8'), file);
  }

  /** The recipients the next write encrypts to, checked so that the writer keeps access. */
  async recipientsForWrite(
    key: AgeKey & { kind: 'identity' },
    types: string[] | null,
  ): Promise<string[]> {
    const own = key.identities.map((i) => i.recipient);
    const listed = (await this.readSidecar()) ?? this.#options.recipients;
    if (listed === undefined) {
      const stanzas = types?.length ?? 0;
      if (stanzas > 1) {
        throw new KeystoreError(
          'no-key',
          `The age keystore ${this.path} is encrypted to ${stanzas} recipients, but their list is unknown, so ` +
            `writing would drop all but you. List them in ${recipientsFile(this.path)} (one age1… per line) ` +
            'or pass `recipients` to ageStore.',
        );
      }
      return [own[0]!];
    }
    this.assertKeepsAccess(key, listed);
    return [...listed];
  }

  assertKeepsAccess(key: AgeKey & { kind: 'identity' }, recipients: readonly string[]): void {
    if (recipients.length === 0) {
      throw new KeystoreError(
        'no-key',
        `Refusing to encrypt ${this.path} to no recipient: nobody could open it.`,
      );
    }
    if (!key.identities.some((i) => recipients.includes(i.recipient))) {
      throw new KeystoreError(
        'no-key',
        `Refusing to write ${this.path}: your identity (from ${key.source}) is not among its recipients, so you ` +
          `would lock yourself out. Add your recipient ${key.identities[0]!.recipient} to ` +
          `${recipientsFile(this.path)} or to \`recipients\`.`,
      );
    }
  }

  /** Encrypts `text` for `target` and proves it decrypts with `verifyWith` before anything is written. */
  async encrypt(
    text: string,
    target: Recipient | readonly string[],
    verifyWith: AgeKey,
  ): Promise<Uint8Array> {
    const encrypter = new (await loadAge()).Encrypter();
    if (Array.isArray(target)) for (const r of target) encrypter.addRecipient(r);
    else encrypter.addRecipient(target as Recipient);
    const file = await encrypter.encrypt(text);
    const back = await decryptKeystore(
      this.path,
      file,
      verifyWith,
      verifyWith === (await this.key()) ? this.#scrypt : null,
    );
    if (back !== text)
      throw corrupted(this.path, 'the re-encrypted keystore did not read back identically');
    return file;
  }

  /** A passphrase recipient whose scrypt work is already done (outside the lock). */
  async prepareScrypt(): Promise<Recipient> {
    await this.key();
    return this.#scrypt!.prepareRecipient(this.logN);
  }

  /** Writes the keystore (and first its recipient list), atomically, mode 0600. Call under the lock. */
  async commit(file: Uint8Array, recipients: readonly string[] | null): Promise<void> {
    try {
      if (recipients !== null) {
        const current = await this.readSidecar();
        // Sidecar first: after a crash in between, the next write still encrypts to the new list.
        if (current === null || current.join('\n') !== recipients.join('\n')) {
          await writeFileAtomic(recipientsFile(this.path), sidecarText(this.path, recipients), {
            mode: 0o644,
          });
        }
      }
      await writeFileAtomic(this.path, file, { mode: 0o600 });
    } catch (error) {
      throw ioError(this.path, error);
    }
  }

  async locked<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await withFileLock(this.path, fn, { timeoutMs: LOCK_TIMEOUT_MS });
    } catch (error) {
      throw ioError(this.path, error);
    }
  }

  /**
   * The locked read-modify-write every change goes through. `edit` changes the document (and may
   * return a new recipient list); the file is re-encrypted with the current kind of key.
   */
  async update(
    edit: (
      opened: Opened,
    ) => readonly string[] | undefined | Promise<readonly string[] | undefined>,
  ) {
    const key = await this.key();
    // The slow scrypt runs before the lock is taken, so concurrent writers wait milliseconds only.
    const prepared = key.kind === 'passphrase' ? this.prepareScrypt() : null;
    if (prepared)
      await Promise.all([
        prepared,
        this.readFile()
          .then((f) => this.open(f))
          .catch(() => {}),
      ]);
    await this.locked(async () => {
      const opened = await this.open(await this.readFile());
      const newRecipients = await edit(opened);
      const text = opened.document.toString();
      if (key.kind === 'passphrase' && newRecipients === undefined) {
        await this.commit(await this.encrypt(text, await prepared!, key), null);
        return;
      }
      if (key.kind === 'identity') {
        const recipients = newRecipients ?? (await this.recipientsForWrite(key, opened.types));
        this.assertKeepsAccess(key, recipients);
        await this.commit(await this.encrypt(text, recipients, key), recipients);
        return;
      }
      // A passphrase keystore switching to recipients: nobody here holds their identities to verify.
      const encrypter = new (await loadAge()).Encrypter();
      for (const r of newRecipients!) encrypter.addRecipient(r);
      await this.commit(await encrypter.encrypt(text), newRecipients!);
    });
  }
}

function sidecarText(path: string, recipients: readonly string[]): string {
  return (
    `# Recipients of the exkeys age keystore ${basename(path)}: one age recipient per line.\n` +
    '# Change it with addRecipient/removeRecipient, which re-encrypt the keystore. `age -R` reads it too.\n' +
    `${recipients.join('\n')}\n`
  );
}

function applyChanges(
  document: DotenvDocument,
  changes: Readonly<Record<string, string | null>>,
  options: StoreWriteOptions,
) {
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) document.delete(name);
    else document.set(name, value);
  }
  for (const [name, iso] of Object.entries(options.rotatedAt ?? {}))
    document.setRotatedAt(name, iso);
}

/**
 * A store kept in an age-encrypted `.env` file. Opened with a passphrase (age's scrypt recipient,
 * work factor 18) or with X25519 identities; see `resolveAgeKey` for where the key is looked up. The
 * file decrypts with `age -d` to an ordinary `.env`.
 *
 * Writes are read-modify-write under the same `<path>.lock` as the `.env` writer, atomic, mode 0600,
 * and verified to decrypt before they replace the file. A wrong key throws `KeystoreError`
 * `wrong-key`; a truncated or altered file throws `corrupted`.
 *
 * Recipients live in `<path>.recipients` (commit it next to the keystore): the `recipients` option
 * seeds it when it does not exist yet.
 *
 * @example
 * ```ts
 * const store = ageStore({ path: '.env.age' }); // passphrase from EXKEYS_PASSPHRASE
 * await store.write({ BYBIT_API_KEY: key, BYBIT_API_SECRET: secret });
 * await loadApiKeys({ stores: [store] });
 * ```
 */
export function ageStore(options: AgeStoreOptions): AgeStore {
  const keystore = new Keystore(options);
  const path = keystore.path;

  async function read(): Promise<DotenvDocument> {
    return (await keystore.open(await keystore.readFile())).document;
  }

  async function identityKey(action: string): Promise<AgeKey & { kind: 'identity' }> {
    const key = await keystore.key();
    if (key.kind !== 'identity') {
      throw new KeystoreError(
        'no-key',
        `Cannot ${action} on ${path}: it is opened with a passphrase, which has no recipients. To share it, ` +
          'call setRecipients([...]) once, which switches it to recipients.',
      );
    }
    return key;
  }

  async function changeRecipients(change: (current: string[]) => string[]): Promise<void> {
    await keystore.update(async (opened) => {
      const key = await keystore.key();
      const current =
        key.kind === 'identity' ? await keystore.recipientsForWrite(key, opened.types) : [];
      const next = [...new Set(change(current))];
      next.forEach(checkRecipient);
      if (next.length === 0) {
        throw new KeystoreError(
          'no-key',
          `Refusing to remove the last recipient of ${path}: nobody could open it.`,
        );
      }
      return next;
    });
  }

  return {
    kind: 'age',
    location: path,
    readOnly: false,
    async readAll() {
      return new Map(Object.entries((await read()).toRecord()));
    },
    async list(): Promise<StoredVariableInfo[]> {
      const document = await read();
      return document.names().map((name) => ({ name, rotatedAt: document.rotatedAt(name) }));
    },
    async write(changes, writeOptions = {}) {
      await keystore.update(({ document }) => {
        applyChanges(document, changes, writeOptions);
        return undefined;
      });
    },
    async delete(names) {
      await keystore.update(({ document }) => {
        for (const name of names) document.delete(name);
        return undefined;
      });
    },
    async recipients() {
      const key = await keystore.key();
      if (key.kind === 'passphrase') return [];
      const opened = await keystore.open(await keystore.readFile());
      return keystore.recipientsForWrite(key, opened.types);
    },
    async addRecipient(recipient) {
      checkRecipient(recipient);
      await identityKey('add a recipient');
      await changeRecipients((current) => [...current, recipient]);
    },
    async removeRecipient(recipient) {
      const key = await identityKey('remove a recipient');
      if (key.identities.some((i) => i.recipient === recipient)) {
        throw new KeystoreError(
          'no-key',
          `Refusing to remove your own recipient from ${path}: you would lock yourself out. Let another recipient remove you.`,
        );
      }
      await changeRecipients((current) => current.filter((r) => r !== recipient));
    },
    async setRecipients(recipients) {
      recipients.forEach(checkRecipient);
      await changeRecipients(() => [...recipients]);
    },
  };
}

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
    const next = await encrypter.encrypt(text);
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
   * Delete the plaintext `.env` once the keystore is written and verified.
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
  const names = await keystore.locked(async () => {
    if ((await keystore.readFile()) !== undefined) {
      throw new KeystoreError(
        'io',
        `Refusing to migrate into ${keystore.path}: a keystore already exists there. Write the variables with ` +
          'ageStore(...).write(), or move the old keystore away first.',
      );
    }
    const source = await withFileLock(envPath, () => readFileIfExists(envPath));
    if (source === undefined)
      throw new KeystoreError('io', `There is no .env file at ${envPath} to migrate.`);
    const text = source.toString('utf8');
    const document = DotenvDocument.parse(text);
    if (key.kind === 'passphrase') {
      await keystore.commit(await keystore.encrypt(text, await prepared!, key), null);
    } else {
      const recipients = await keystore.recipientsForWrite(key, null);
      await keystore.commit(await keystore.encrypt(text, recipients, key), recipients);
    }
    if (migrate.deleteEnvFile) await withFileLock(envPath, () => unlink(envPath));
    return document.names();
  });
  return { path: keystore.path, names };
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
  return { path: envPath, names: document.names() };
}
