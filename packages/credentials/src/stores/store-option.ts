/**
 * Picks the store a call works on: an explicit `store`, else the `.env` file at `envFile`.
 * @module
 */
import { resolve } from 'node:path';
import { dotenvStore } from './dotenv/dotenv-store.js';
import type { CredentialStore } from './store.js';

/** The `envFile` / `store` pair accepted by every function that reads or writes a store. */
export interface StoreOption {
  /**
   * Path of the `.env` file. Ignored when `store` is given.
   * @default '.env' (in the current directory)
   */
  envFile?: string;
  /** Any {@link CredentialStore}: `dotenvStore`, `ageStore`, `keychainStore`, `secretFilesStore`. */
  store?: CredentialStore;
}

/** The store selected by `options`. */
export function storeFrom(options: StoreOption): CredentialStore {
  return options.store ?? dotenvStore(resolve(options.envFile ?? '.env'));
}
