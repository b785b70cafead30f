/**
 * The status of a configured key as `list` and `doctor` report it: `missing`, `invalid`, `stale` or
 * `ok`.
 * @module
 */
import { type ValidationResult, validateCredentials } from '@exkeys/credentials';
import { UsageError } from './exit-codes.js';
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
  if (ageDays !== null && ageDays > maxAgeDays) return 'stale';
  return 'ok';
}

/** Validates one pair against a private env record. */
export function validateIn(env: PrivateEnv, exchange: string, profile: string): ValidationResult {
  return validateCredentials(exchange, { profile, env });
}

/**
 * Parses a `--max-age` value.
 * @throws {UsageError} unless it is a non-negative number of days.
 */
export function parseMaxAge(value: string): number {
  const days = Number(value);
  if (!Number.isFinite(days) || days < 0 || value.trim() === '') {
    throw new UsageError(
      `--max-age takes a number of days, such as 90 (got ${JSON.stringify(value.slice(0, 12))}).`,
    );
  }
  return days;
}
