/**
 * The locked read-modify-write engine behind the age keystore: resolve the key once, read and
 * decrypt the file, let a caller edit the document (or its recipients), re-encrypt, prove the result
 * decrypts, then replace the file atomically under `<path>.lock`.
 * @module
 */
import { basename } from 'node:path';
import type { Recipient } from 'age-encryption';
import { KeystoreError } from '../../errors.js';
import { withFileLock, writeFileAtomic } from '../atomic-file.js';
import { DotenvDocument } from '../dotenv/dotenv-document.js';
import { assertAgeEncryptionInstalled } from '../optional-peers.js';
import { MAX_STORE_FILE_BYTES, readFileIfExists, resolveStoreFile } from '../store-file.js';
import {
  type AgeStoreOptions,
  checkRecipient,
  corrupted,
  decryptKeystore,
  encryptText,
  ioError,
  LOCK_TIMEOUT_MS,
  loadAge,
  noKey,
  parseRecipients,
  recipientsFile,
  stanzaTypes,
} from './age-file.js';
import { type AgeKey, resolveAgeKey } from './age-identity.js';
import { DEFAULT_SCRYPT_WORK_FACTOR, NativeScryptIdentity } from './age-scrypt.js';
import { checkRecipientsAccepted, recordRecipients } from './recipient-trust.js';

/** What one locked read-modify-write of a keystore works with. */
export interface Opened {
  document: DotenvDocument;
  /** Stanza types of the current file, or `null` when it does not exist yet. */
  types: string[] | null;
}

/** The shared machinery of `ageStore` and the keystore functions (passphrase change, migrations). */
export class Keystore {
  readonly path: string;
  readonly #options: AgeStoreOptions;
  #key: Promise<AgeKey> | undefined;
  #scrypt: NativeScryptIdentity | null = null;

  /**
   * The file the keystore path leads to (own symlinks followed, foreign ones refused): it is read,
   * locked and replaced, so writers through a symlink and through its target share one lock and
   * the link survives a write. Resolved on every call: the link may change between writes.
   */
  async target(): Promise<string> {
    try {
      return (await resolveStoreFile(this.path)).target;
    } catch (error) {
      throw ioError(this.path, error);
    }
  }

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
      // Armor and age framing make a keystore larger than the .env it holds.
      return await readFileIfExists(await this.target(), { maxBytes: 4 * MAX_STORE_FILE_BYTES });
    } catch (error) {
      throw ioError(this.path, error);
    }
  }

  async open(file: Uint8Array | undefined): Promise<Opened> {
    if (file === undefined) {
      // Nothing to decrypt yet, but a keystore that could never be written must not read as fine.
      assertAgeEncryptionInstalled();
      return { document: DotenvDocument.parse(''), types: null };
    }
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

  /**
   * The recipients the next write encrypts to, checked so that the writer keeps access and, for a
   * write, that a `<path>.recipients` list is the one this user accepted (see `recipient-trust.ts`).
   */
  async recipientsForWrite(
    key: AgeKey & { kind: 'identity' },
    types: string[] | null,
    purpose: 'write' | 'read' = 'write',
  ): Promise<string[]> {
    const own = key.identities.map((i) => i.recipient);
    const sidecar = await this.readSidecar();
    if (sidecar !== null && purpose === 'write') {
      await checkRecipientsAccepted(this.path, sidecar, this.#options.acceptRecipients);
    }
    const listed = sidecar ?? this.#options.recipients;
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
    const file = await encryptText(encrypter, text);
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
      await writeFileAtomic(await this.target(), file, { mode: 0o600 });
    } catch (error) {
      throw ioError(this.path, error);
    }
    if (recipients !== null) await recordRecipients(this.path, recipients);
  }

  async locked<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await withFileLock(await this.target(), fn, { timeoutMs: LOCK_TIMEOUT_MS });
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
      await this.commit(await encryptText(encrypter, text), newRecipients!);
    });
  }
}

/** The text of a `<path>.recipients` file: a short header, then one recipient per line. */
export function sidecarText(path: string, recipients: readonly string[]): string {
  return (
    `# Recipients of the exkeys age keystore ${basename(path)}: one age recipient per line.\n` +
    '# Change it with addRecipient/removeRecipient, which re-encrypt the keystore. `age -R` reads it too.\n' +
    `${recipients.join('\n')}\n`
  );
}
