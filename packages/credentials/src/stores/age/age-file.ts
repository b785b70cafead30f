/**
 * The age keystore file and what it is made of: the shared types of the age store, the file format
 * (age-encryption.org/v1, optionally ASCII-armored), decryption, the `<path>.recipients` list, and
 * the errors each of them raises. The lowest file of `stores/age/`: it imports no other store file
 * but the key sources and the native scrypt.
 * @module
 */

import type { Decrypter, Encrypter } from 'age-encryption';
import { AGE_KEY_SOURCES } from '../../age-key-sources.js';
import { ExkeysError, KeystoreError } from '../../errors.js';
import { assertAgeEncryptionInstalled, loadAgeEncryption } from '../optional-peers.js';
import type { CredentialStore } from '../store.js';
import type { AgeKey, AgeKeySources } from './age-identity.js';
import {
  decryptNative,
  type NativeIdentity,
  NativeX25519Identity,
  NoIdentityMatchedError,
} from './age-native.js';
import { NativeScryptIdentity } from './age-scrypt.js';
import type { AcceptRecipients } from './recipient-trust.js';

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
   * Whether a write may encrypt to a `<path>.recipients` list that differs from the one this user
   * last wrote to (recorded in `$XDG_STATE_HOME/exkeys/recipients.json`; the first write to a
   * keystore records its list: trust on first use). `true` accepts the change, a function is asked
   * with what was added and removed; otherwise the write throws `KeystoreError`
   * `recipients-changed`.
   * @default undefined (refuse)
   */
  acceptRecipients?: AcceptRecipients;
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

/** How long a keystore write waits for another writer's `<path>.lock`. */
export const LOCK_TIMEOUT_MS = 60_000;
const SIDECAR_SUFFIX = '.recipients';

/** The file listing a keystore's recipients, one `age1…` per line (`age -R` reads it too). */
export function recipientsFile(path: string): string {
  return `${path}${SIDECAR_SUFFIX}`;
}

/** No key source is configured for the keystore at `path`. */
export function noKey(path: string): KeystoreError {
  return new KeystoreError(
    'no-key',
    `No key to open the age keystore ${path}. Pass \`passphrase\` or \`identity\`/\`identityFile\` to ageStore, or set ${AGE_KEY_SOURCES}.`,
  );
}

/** The keystore at `path` cannot be read back: `why` says how. */
export function corrupted(path: string, why: string, cause?: unknown): KeystoreError {
  return new KeystoreError(
    'corrupted',
    `The age keystore ${path} is damaged: ${why}. Nothing was changed. Restore it from a backup or from ` +
      'version control, or ask a teammate who holds a copy to re-encrypt it.',
    cause === undefined ? {} : { cause },
  );
}

// Codes whose message (from atomic-file.ts / store-file.ts) already says what happened and what to do.
const OWN_MESSAGE = new Set([
  'ELOCKED',
  'EISDIR',
  'ENOTREG',
  'EFBIG',
  'EFOREIGNLINK',
  'EFOREIGNOWNER',
  'ELOOP',
]);

/** A file system failure on `path` as `KeystoreError` `io`; errors of our own pass through unchanged. */
export function ioError(path: string, error: unknown): Error {
  if (ExkeysError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException)?.code;
  const detail = OWN_MESSAGE.has(code ?? '')
    ? (error as Error).message
    : `${code ?? 'unknown error'}`;
  return new KeystoreError('io', `Cannot access the age keystore ${path}: ${detail}.`, {
    cause: error,
  });
}

/** The stanza types in an age header (`X25519`, `scrypt`…), or `null` when it is not one. */
export function stanzaTypes(file: Uint8Array): string[] | null {
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

/** age-encryption (and its noble crypto) costs ~80 ms to import: it loads when a keystore is opened. */
export const loadAge = loadAgeEncryption;

// The key as identities the native decrypter runs, or `null` when one needs age-encryption (post-quantum).
function nativeIdentities(
  key: AgeKey,
  scrypt: NativeScryptIdentity | null,
): NativeIdentity[] | null {
  if (key.kind === 'passphrase') return [scrypt ?? new NativeScryptIdentity(key.passphrase)];
  const identities: NativeIdentity[] = [];
  for (const { identity } of key.identities) {
    const native = NativeX25519Identity.parse(identity);
    if (native === null) return null;
    identities.push(native);
  }
  return identities;
}

async function decrypterFor(key: AgeKey, scrypt: NativeScryptIdentity | null): Promise<Decrypter> {
  const decrypter = new (await loadAge()).Decrypter();
  if (key.kind === 'passphrase')
    decrypter.addIdentity(scrypt ?? new NativeScryptIdentity(key.passphrase));
  else for (const { identity } of key.identities) decrypter.addIdentity(identity);
  return decrypter;
}

/** Decrypts a keystore file to its `.env` text. Every failure is a `KeystoreError`. */
export async function decryptKeystore(
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
    const { armor } = await loadAge();
    try {
      bytes = armor.decode(Buffer.from(file).toString('latin1'));
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
  assertAgeEncryptionInstalled();
  const native = nativeIdentities(key, scrypt);
  const decrypter = native === null ? await decrypterFor(key, scrypt) : null;
  let plaintext: Uint8Array;
  try {
    plaintext =
      decrypter === null
        ? await decryptNative(bytes, native!)
        : await readStream(await decrypter.decrypt(asStream(bytes)));
  } catch (error) {
    if (
      error instanceof NoIdentityMatchedError ||
      (error instanceof Error && /no identity matched/.test(error.message))
    )
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

/** The recipients listed in a `<path>.recipients` text; `source` names it in errors. */
export function parseRecipients(text: string, source: string): string[] {
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

/** Throws a `TypeError` unless `recipient` has the shape of an age recipient (`age1…`). */
export function checkRecipient(recipient: string): void {
  // Bech32 with the `age` prefix: the shape age-keygen prints.
  if (!/^age1(?:pq1)?[02-9ac-hj-np-z]{58,}$/.test(recipient)) {
    throw new TypeError(
      `"${recipient.slice(0, 12)}…" is not an age recipient: expected age1… (the public key printed by age-keygen).`,
    );
  }
}

/**
 * `bytes` as a one-chunk stream. Given a stream, age-encryption hands back a stream; given bytes, it
 * collects its output with `new Response(stream)`, which makes Node load its bundled undici (tens of
 * milliseconds on every keystore load).
 */
function asStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** Every chunk of `stream`, concatenated. Decryption errors (a forged chunk) surface here. */
async function readStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read())
    chunks.push(next.value);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Encrypts `text` with `encrypter`, without routing the output through `Response` (see {@link asStream}). */
export async function encryptText(encrypter: Encrypter, text: string): Promise<Uint8Array> {
  return readStream(await encrypter.encrypt(asStream(new TextEncoder().encode(text))));
}
