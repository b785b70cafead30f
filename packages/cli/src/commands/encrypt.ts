/**
 * `exkeys encrypt` / `exkeys decrypt`: move keys between the `.env` file and an age keystore.
 * @module
 */
import type { StoreOptions } from '../program.js';

/** Options of `exkeys encrypt` and `exkeys decrypt`. */
export interface MoveOptions extends StoreOptions {
  /** Keep the source too. */
  keep?: boolean;
}

/** Runs `exkeys encrypt`. */
export async function encryptCommand(_options: MoveOptions): Promise<void> {
  throw new Error('not available yet');
}

/** Runs `exkeys decrypt`. */
export async function decryptCommand(_options: MoveOptions): Promise<void> {
  throw new Error('not available yet');
}
