/**
 * The optional peer dependencies of the core: `age-encryption` (the age keystore) and
 * `@napi-rs/keyring` (the OS keychain). Only the stores that need them load them, on first use; when
 * one is not installed they throw a `KeystoreError` naming the package to install.
 * @module
 */
import { createRequire } from 'node:module';
import { KeystoreError } from '../errors.js';

const AGE_FEATURE = 'The age keystore (ageStore)';

/** What a missing optional peer is needed for, and how to get it. */
function missingPeer(specifier: string, feature: string, cause: unknown): KeystoreError {
  return new KeystoreError(
    'unavailable',
    `${feature} needs the optional package ${specifier}, which is not installed. ` +
      `Install it next to @exkeys/credentials: \`npm i ${specifier}\` (or pnpm add / yarn add).`,
    { cause },
  );
}

// Only "this very package cannot be found" means missing; any other failure (a broken install, a
// native binary for another platform) is reported as it is.
function isMissing(error: unknown, specifier: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error instanceof Error &&
    error.message.includes(`'${specifier}'`)
  );
}

async function loadPeer<T>(specifier: string, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, specifier)) throw missingPeer(specifier, feature, error);
    throw error;
  }
}

let age: Promise<typeof import('age-encryption')> | undefined;
let ageInstalled = false;

/**
 * Throws unless `age-encryption` can be imported, without importing it: reading a keystore is done on
 * `node:crypto`, but an age store that could open files and never write them would fail late.
 * @throws {KeystoreError} `unavailable` naming the package when it is not installed.
 */
export function assertAgeEncryptionInstalled(): void {
  if (ageInstalled) return;
  try {
    createRequire(import.meta.url).resolve('age-encryption');
  } catch (error) {
    if (isMissing(error, 'age-encryption')) throw missingPeer('age-encryption', AGE_FEATURE, error);
    throw error;
  }
  ageInstalled = true;
}
let keyring: Promise<typeof import('@napi-rs/keyring')> | undefined;

/**
 * Loads `age-encryption` (and its noble crypto, ~80 ms), once.
 * @throws {KeystoreError} `unavailable` naming the package when it is not installed.
 */
export function loadAgeEncryption(): Promise<typeof import('age-encryption')> {
  age ??= loadPeer('age-encryption', AGE_FEATURE, () => import('age-encryption'));
  age.catch(() => {
    age = undefined;
  });
  return age;
}

/**
 * Loads the `@napi-rs/keyring` native binding (~35 ms), once.
 * @throws {KeystoreError} `unavailable` naming the package when it is not installed.
 */
export function loadKeyring(): Promise<typeof import('@napi-rs/keyring')> {
  keyring ??= loadPeer(
    '@napi-rs/keyring',
    'The OS keychain store (keychainStore, and age identities kept in the keychain)',
    () => import('@napi-rs/keyring'),
  );
  keyring.catch(() => {
    keyring = undefined;
  });
  return keyring;
}
