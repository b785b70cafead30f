/**
 * The age keystore: a `.env` document encrypted with age (age-encryption.org/v1), opened with a
 * passphrase or with X25519 identities. Decrypted with the `age` CLI it is a valid `.env`, rotation
 * comments included. Teams encrypt it to several recipients, listed in a `<path>.recipients` file.
 * @module
 */
import { KeystoreError } from '../../errors.js';
import type { DotenvDocument } from '../dotenv/dotenv-document.js';
import type { StoredVariableInfo, StoreSnapshot } from '../store.js';
import { type AgeStore, type AgeStoreOptions, checkRecipient } from './age-file.js';
import type { AgeKey } from './age-identity.js';
import { Keystore } from './keystore.js';

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
      return (await read()).values();
    },
    async list(): Promise<StoredVariableInfo[]> {
      return (await read()).variables();
    },
    async snapshot(): Promise<StoreSnapshot> {
      return (await read()).snapshot();
    },
    async write(changes, writeOptions = {}) {
      await keystore.update(({ document }) => {
        document.apply(changes, writeOptions.rotatedAt);
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
      return keystore.recipientsForWrite(key, opened.types, 'read');
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
