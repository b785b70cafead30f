/**
 * The Kraken permission table and the reader of `POST /0/private/GetApiKeyInfo`: every name in
 * `result.permissions` is classified against the documented names, `result.ipAllowlist` tells
 * whether the key is bound to addresses, and `result.validUntil` when it expires.
 * @module
 */

import type { PermissionGrant } from '@exkeys/credentials';
import {
  classifyPermission,
  type KeyFacts,
  type PermissionTable,
  summarizeGrants,
  unreadableField,
} from '@exkeys/credentials/exchange';

const KEY_INFO_DOC = 'https://docs.kraken.com/api-reference/account-data/get-api-key-info';

/**
 * Every permission name Kraken documents for `GetApiKeyInfo` (its response example lists
 * `query-funds`, `withdraw-funds`, `query-open-trades` and `modify-trades`). Names match exactly:
 * any other name, including one Kraken may add later, is `unknown` and refused by
 * `assertSafeKey` until the table lists it (or the user accepts it with
 * `allowPermissions: ['kraken:<name>']`).
 */
export const KRAKEN_PERMISSIONS: PermissionTable = {
  'query-funds': { class: 'read', doc: KEY_INFO_DOC },
  'query-open-trades': { class: 'read', doc: KEY_INFO_DOC },
  'modify-trades': { class: 'trade', doc: KEY_INFO_DOC },
  'withdraw-funds': { class: 'withdraw', doc: KEY_INFO_DOC },
};

/** How an empty permission name is named in a report. */
export const EMPTY_PERMISSION = '(empty permission)';

/** Allowlist entries that let every address in: such a key is not IP-bound. */
const EVERYWHERE = new Set(['0.0.0.0/0', '::/0']);

const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * Reads `POST /0/private/GetApiKeyInfo`'s answer (`{ error: [], result: { … } }`). `result` must be
 * an object with a `permissions` list of strings, an `ipAllowlist` list of strings and a
 * `validUntil` of Unix seconds (`"0"`: no expiry). The key is IP-restricted when the allowlist
 * holds an entry other than `0.0.0.0/0` and `::/0`.
 * @throws via `unreadableField` for a missing or malformed field (never quoting its value).
 */
export function readApiKeyInfo(response: unknown): KeyFacts {
  const body = objectOrNull(response);
  if (body === null) unreadableField('(the whole body)', 'is not a JSON object');
  const result = objectOrNull(body.result);
  if (result === null) unreadableField('result', 'is missing or not an object');
  const { permissions, ipAllowlist, validUntil } = result;
  if (!Array.isArray(permissions))
    unreadableField('result.permissions', 'is missing or not a list');
  const grants = permissions.map((name: unknown, index): PermissionGrant => {
    if (typeof name !== 'string') unreadableField(`result.permissions.${index}`, 'is not a string');
    if (name.trim() === '') return { name: EMPTY_PERMISSION, class: 'unknown' };
    return classifyPermission(KRAKEN_PERMISSIONS, name);
  });
  if (!Array.isArray(ipAllowlist))
    unreadableField('result.ipAllowlist', 'is missing or not a list');
  ipAllowlist.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string')
      unreadableField(`result.ipAllowlist.${index}`, 'is not a string');
  });
  const bound = (ipAllowlist as string[]).filter(
    (entry) => entry.trim() !== '' && !EVERYWHERE.has(entry.trim()),
  );
  const until = typeof validUntil === 'number' ? String(validUntil) : validUntil;
  if (typeof until !== 'string' || !UNIX_SECONDS.test(until)) {
    unreadableField('result.validUntil', 'is missing or not Unix seconds');
  }
  const seconds = Number(until);
  return {
    permissions: summarizeGrants(grants),
    ipRestricted: bound.length > 0,
    expiresAt: seconds === 0 ? null : new Date(seconds * 1000).toISOString(),
  };
}

function objectOrNull(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
