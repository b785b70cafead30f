/**
 * Permission tables: each exchange package lists every permission its exchange documents, with a
 * class and the documentation page it comes from. The audit is an allow-list: anything not in the
 * table is `unknown`, and `assertSafeKey` refuses it.
 * @module
 */
import type { KeyPermissions, PermissionClass, PermissionGrant } from '../policy.js';

/** One documented permission. */
export interface PermissionEntry {
  /** How exkeys classifies it (never `unknown`: unknown means "not in the table"). */
  class: Exclude<PermissionClass, 'unknown'>;
  /** The exchange documentation page that describes it. */
  doc: string;
}

/**
 * Permission name, as the exchange spells it (Bybit `Group.Value`, a Binance flag, an OKX token),
 * to its entry.
 */
export type PermissionTable = Readonly<Record<string, PermissionEntry>>;

/**
 * Classifies `name` against `table`: its documented class, or `unknown`. Lookups are exact; an
 * exchange whose names are case-insensitive passes a normalising `key` function.
 */
export function classifyPermission(
  table: PermissionTable,
  name: string,
  key: (name: string) => string = (n) => n,
): PermissionGrant {
  const entry = Object.hasOwn(table, key(name)) ? table[key(name)] : undefined;
  return { name, class: entry?.class ?? 'unknown' };
}

/**
 * Sums classified grants up into {@link KeyPermissions}: `trade` when any grant trades, `withdraw`
 * when any withdraws or pays out, `transfer` when any moves funds between the user's accounts.
 * `read` is true: a key that answered the key-information call can read.
 */
export function summarizeGrants(grants: readonly PermissionGrant[]): KeyPermissions {
  const has = (...classes: PermissionClass[]) => grants.some((g) => classes.includes(g.class));
  return {
    read: true,
    trade: has('trade'),
    withdraw: has('withdraw', 'payout'),
    transfer: has('transfer'),
    grants,
  };
}

const unreadableMarker = Symbol.for('exkeys.unreadable-field');

/** Thrown by a key-information reader for a missing or malformed field; the kit reports it. */
export interface UnreadableField extends Error {
  /** The field path, e.g. `result.permissions`. */
  readonly field: string;
}

/**
 * Throws from a key-information reader when a field the audit needs is missing or malformed. The
 * kit turns it into a `KeyVerificationError` with reason `unreadable-response` naming the endpoint
 * and `field`. `problem` says what is wrong without quoting the value (e.g. "is not a list").
 */
export function unreadableField(field: string, problem: string): never {
  const error = new Error(`${field} ${problem}`) as Error & { field: string };
  Object.defineProperty(error, unreadableMarker, { value: true });
  error.field = field;
  throw error;
}

/** True for an error thrown by {@link unreadableField}. */
export function isUnreadableField(error: unknown): error is UnreadableField {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[unreadableMarker] === true
  );
}
