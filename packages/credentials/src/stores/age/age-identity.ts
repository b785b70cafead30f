/**
 * Where the key that opens an age keystore comes from: a passphrase, or X25519 identities
 * (`AGE-SECRET-KEY-1…`) given directly, through the environment, in an identity file or in the OS
 * keychain. The first source found wins; see {@link resolveAgeKey} for the order.
 * @module
 */

import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AGE_KEY_VARIABLES } from '../../age-key-sources.js';
import { KeystoreError } from '../../errors.js';
import { keychainStore } from '../keychain-store.js';
import { loadAgeEncryption } from '../optional-peers.js';
import { NativeX25519Identity } from './age-native.js';

/** Environment variable holding the keystore passphrase, for unattended use. */
export const PASSPHRASE_VARIABLE = AGE_KEY_VARIABLES.passphrase;
/** Environment variable holding the path of a file with the passphrase (a Docker/Kubernetes secret). */
export const PASSPHRASE_FILE_VARIABLE = AGE_KEY_VARIABLES.passphraseFile;
/** Environment variable (and keychain variable) holding an age identity, `AGE-SECRET-KEY-1…`. */
export const IDENTITY_VARIABLE = AGE_KEY_VARIABLES.identity;
/** Environment variable holding the path of an age identity file. */
export const IDENTITY_FILE_VARIABLE = AGE_KEY_VARIABLES.identityFile;
/** Environment variable naming a keychain service that holds `EXKEYS_AGE_IDENTITY`. */
export const IDENTITY_KEYCHAIN_VARIABLE = AGE_KEY_VARIABLES.identityKeychain;

/** Where {@link resolveAgeKey} looks. Every field is optional. */
export interface AgeKeySources {
  /** The keystore passphrase. */
  passphrase?: string;
  /** An age identity, `AGE-SECRET-KEY-1…` (or a post-quantum `AGE-SECRET-KEY-PQ-1…`). */
  identity?: string;
  /** Path of an age identity file (as written by `age-keygen -o`). Must not be readable by others. */
  identityFile?: string;
  /** A keychain service (see `keychainStore`) holding the identity as variable `EXKEYS_AGE_IDENTITY`. */
  identityKeychain?: string;
  /**
   * The environment to read `EXKEYS_*` variables, `HOME` and `XDG_CONFIG_HOME` from.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The key that opens a keystore, and where it came from (for messages; never the key itself). */
export type AgeKey =
  | { kind: 'passphrase'; passphrase: string; source: string }
  | { kind: 'identity'; identities: readonly AgeIdentity[]; source: string };

/** An age identity and its public recipient. */
export interface AgeIdentity {
  /** `AGE-SECRET-KEY-1…`. */
  identity: string;
  /** `age1…`, the recipient that encrypts to this identity. */
  recipient: string;
}

/** The identity file read when no other source is configured: `~/.config/exkeys/age-identity.txt`. */
export function defaultIdentityFile(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(config, 'exkeys', 'age-identity.txt');
}

function notAnIdentity(source: string): KeystoreError {
  return new KeystoreError(
    'no-key',
    `${source} is not an age identity: expected a line starting with AGE-SECRET-KEY-1 (generate one with \`age-keygen -o identity.txt\`).`,
  );
}

async function toIdentity(text: string, source: string): Promise<AgeIdentity> {
  const identity = text.trim();
  if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(identity)) throw notAnIdentity(source);
  if (!identity.startsWith('AGE-SECRET-KEY-PQ-')) {
    // X25519 identities are derived on node:crypto: loading keys then never imports age-encryption.
    const native = NativeX25519Identity.parse(identity);
    if (native === null) throw notAnIdentity(source);
    return { identity, recipient: native.recipient };
  }
  const { identityToRecipient } = await loadAgeEncryption();
  try {
    return { identity, recipient: await identityToRecipient(identity) };
  } catch {
    throw notAnIdentity(source);
  }
}

// Key files must be private, like ssh keys: 0600 or stricter.
async function readKeyFile(path: string, what: string): Promise<string> {
  try {
    const info = await stat(path);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      throw new KeystoreError(
        'unavailable',
        `Refusing to use the ${what} ${path}: its mode is ${mode}, so other users can read it. ` +
          `Run \`chmod 600 ${path}\` (for a Kubernetes secret volume set \`defaultMode: 0400\`) and try again.`,
      );
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if (KeystoreError.isInstance(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new KeystoreError('no-key', `Cannot read the ${what} ${path} (${code}).`, {
      cause: error,
    });
  }
}

/**
 * Reads an age identity file: one identity per line, `#` comments and blank lines allowed. Refuses a
 * file whose permissions are looser than 0600 (`KeystoreError` code `unavailable`), like ssh does.
 */
export async function readIdentityFile(path: string): Promise<AgeIdentity[]> {
  const text = await readKeyFile(path, 'age identity file');
  const identities: AgeIdentity[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    identities.push(await toIdentity(line, `Line ${i + 1} of the identity file ${path}`));
  }
  if (identities.length === 0) throw notAnIdentity(`The identity file ${path}`);
  return identities;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Finds the key that opens an age keystore. The first source present wins:
 * 1. the `passphrase` option;
 * 2. the `identity` option;
 * 3. the `identityFile` option;
 * 4. `EXKEYS_PASSPHRASE`;
 * 5. `EXKEYS_PASSPHRASE_FILE` (a path; one trailing newline is trimmed);
 * 6. `EXKEYS_AGE_IDENTITY`;
 * 7. `EXKEYS_AGE_IDENTITY_FILE` (a path);
 * 8. the `identityKeychain` option, then `EXKEYS_AGE_IDENTITY_KEYCHAIN` (a keychain service holding
 *    the variable `EXKEYS_AGE_IDENTITY`);
 * 9. the default identity file `$XDG_CONFIG_HOME/exkeys/age-identity.txt` (`~/.config/…`), if it exists.
 *
 * Returns `null` when none is present. Throws `KeystoreError` when a configured source is unusable.
 * Key files (identity and passphrase files) must not be readable by other users (mode 0600 or 0400).
 */
export async function resolveAgeKey(sources: AgeKeySources): Promise<AgeKey | null> {
  const env = sources.env ?? process.env;
  if (sources.passphrase !== undefined) {
    return passphraseKey(sources.passphrase, 'the `passphrase` option');
  }
  if (sources.identity !== undefined) {
    const source = 'the `identity` option';
    return { kind: 'identity', identities: [await toIdentity(sources.identity, source)], source };
  }
  if (sources.identityFile !== undefined) {
    return fromFile(sources.identityFile);
  }
  const passphrase = env[PASSPHRASE_VARIABLE];
  if (passphrase) return passphraseKey(passphrase, PASSPHRASE_VARIABLE);
  const passphraseFile = env[PASSPHRASE_FILE_VARIABLE];
  if (passphraseFile) {
    const text = await readKeyFile(passphraseFile, 'passphrase file');
    return passphraseKey(text.replace(/\r?\n$/, ''), `the passphrase file ${passphraseFile}`);
  }
  const identity = env[IDENTITY_VARIABLE];
  if (identity) {
    return {
      kind: 'identity',
      identities: [await toIdentity(identity, IDENTITY_VARIABLE)],
      source: IDENTITY_VARIABLE,
    };
  }
  const file = env[IDENTITY_FILE_VARIABLE];
  if (file) return fromFile(file);
  const service = sources.identityKeychain ?? env[IDENTITY_KEYCHAIN_VARIABLE];
  if (service) {
    const source = `${IDENTITY_VARIABLE} in keychain service "${service}"`;
    const stored = (await keychainStore({ service }).readAll()).get(IDENTITY_VARIABLE);
    if (stored === undefined) {
      throw new KeystoreError(
        'no-key',
        `Keychain service "${service}" holds no ${IDENTITY_VARIABLE}. Store your identity there with ` +
          `keychainStore({ service: '${service}' }).write({ ${IDENTITY_VARIABLE}: identity }).`,
      );
    }
    return { kind: 'identity', identities: [await toIdentity(stored, source)], source };
  }
  const fallback = defaultIdentityFile(env);
  if (await exists(fallback)) return fromFile(fallback);
  return null;
}

function passphraseKey(passphrase: string, source: string): AgeKey {
  if (passphrase === '') throw new KeystoreError('no-key', `${source} is empty: set a passphrase.`);
  return { kind: 'passphrase', passphrase, source };
}

async function fromFile(path: string): Promise<AgeKey> {
  return {
    kind: 'identity',
    identities: await readIdentityFile(path),
    source: `the identity file ${path}`,
  };
}
