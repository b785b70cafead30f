/**
 * The status of a configured key as `list` and `doctor` report it: `missing`, `invalid`, `stale` or
 * `ok`.
 * @module
 */
import { type ValidationResult, validateCredentials } from '@exkeys/credentials';
import type { PrivateEnv } from './store-selection.js';

/** A key's overall status. */
export type KeyStatus = 'ok' | 'missing' | 'invalid' | 'stale';

/** The status of `exchange`/`profile` in `env`, given its age in days. */
export function keyStatus(
  validation: ValidationResult,
  ageDays: number | null,
  maxAgeDays: number,
): KeyStatus {
  if (
    validation.errors.some(
      (issue) => issue.code === 'missing' || issue.code === 'passphrase-missing',
    )
  ) {
    return 'missing';
  }
  if (!validation.valid) return 'invalid';
  if (isStale(ageDays, maxAgeDays)) return 'stale';
  return 'ok';
}

/**
 * True when a key is older than `maxAgeDays`: what `list` shows as `stale` and `doctor` fails. A key
 * of unknown age (`null`) is not stale.
 */
export function isStale(ageDays: number | null, maxAgeDays: number): boolean {
  return ageDays !== null && ageDays > maxAgeDays;
}

/** Validates one pair against a private env record. */
export function validateIn(env: PrivateEnv, exchange: string, profile: string): ValidationResult {
  return validateCredentials(exchange, { profile, env });
}
