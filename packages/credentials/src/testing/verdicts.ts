/**
 * What an audit test asks of a key, said once for every exchange package: did `assertSafeKey`
 * accept the report, and why not; how did a verification fail, and did it print a secret.
 * @module
 */
import { inspect } from 'node:util';
import { isUnreadableField, type KeyFacts } from '../exchange/index.js';
import {
  assertSafeKey,
  type KeyPolicy,
  type KeyReport,
  KeyVerificationError,
  UnsafeKeyError,
  type UnsafeKeyReason,
} from '../index.js';

/** `assertSafeKey`'s answer as a value: the warnings of an accepted key, or the refusal. */
export type PolicyVerdict =
  | { accepted: true; warnings: string[] }
  | { accepted: false; reasons: UnsafeKeyReason[]; message: string };

/** Options of {@link policyVerdict}. */
export interface PolicyVerdictOptions {
  /**
   * Warnings left out of an accepted verdict, e.g. `/no IP whitelist/` when every test key is
   * unrestricted.
   * @default undefined (every warning is kept)
   */
  ignoreWarnings?: RegExp;
}

/**
 * Runs `assertSafeKey(report, policy)` and returns its verdict. Any error other than an
 * `UnsafeKeyError` is rethrown: a test must not mistake a crash for a refusal.
 */
export function policyVerdict(
  report: KeyReport,
  policy: KeyPolicy,
  options: PolicyVerdictOptions = {},
): PolicyVerdict {
  try {
    const { warnings } = assertSafeKey(report, policy);
    const ignore = options.ignoreWarnings;
    return {
      accepted: true,
      warnings: ignore ? warnings.filter((warning) => !ignore.test(warning)) : [...warnings],
    };
  } catch (error) {
    if (!UnsafeKeyError.isInstance(error)) throw error;
    return { accepted: false, reasons: [...error.reasons], message: error.message };
  }
}

/** The two outcomes a fail-closed audit may have. */
export type AuditOutcome = 'accepted' | 'refused';

/**
 * The outcome of a live verification followed by `assertSafeKey`: `refused` when the policy
 * refuses the report or the answer was unreadable (`unreadable-response`). Any other failure is
 * rethrown.
 */
export async function auditOutcome(
  verification: Promise<KeyReport>,
  policy: KeyPolicy,
): Promise<AuditOutcome> {
  let report: KeyReport;
  try {
    report = await verification;
  } catch (error) {
    if (KeyVerificationError.isInstance(error) && error.reason === 'unreadable-response') {
      return 'refused';
    }
    throw error;
  }
  return policyVerdict(report, policy).accepted ? 'accepted' : 'refused';
}

/**
 * The same outcome for a key-information reader without HTTP: `read` turns a raw answer into
 * {@link KeyFacts} or throws `unreadableField`, which is a refusal. Any other error is rethrown.
 */
export function readerOutcome(
  exchange: string,
  read: () => KeyFacts,
  policy: KeyPolicy,
): AuditOutcome {
  let facts: KeyFacts;
  try {
    facts = read();
  } catch (error) {
    if (isUnreadableField(error)) return 'refused';
    throw error;
  }
  const report: KeyReport = {
    exchange,
    profile: 'default',
    expiresInDays: null,
    warnings: [],
    ...facts,
  };
  return policyVerdict(report, policy).accepted ? 'accepted' : 'refused';
}

/**
 * Awaits a verification that must fail with a `KeyVerificationError` and returns that error. Its
 * message, `inspect` form (hidden fields and cause included), JSON and stack are handed together
 * to `check`, e.g. an assertion that no canary secret is in them.
 */
export async function expectVerificationFailure(
  verification: Promise<unknown>,
  check: (printed: string) => void,
): Promise<KeyVerificationError> {
  const error = await verification.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!KeyVerificationError.isInstance(error)) throw error ?? new Error('verification passed');
  check(
    [
      error.message,
      inspect(error, { depth: 8, showHidden: true }),
      JSON.stringify(error),
      String(error.stack),
    ].join('\n'),
  );
  return error;
}
