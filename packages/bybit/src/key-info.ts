/**
 * Reads Bybit's `GET /v5/user/query-api` answer into `KeyFacts`, failing closed: a field the
 * audit needs that is missing or malformed is `unreadable-response`, and a permission that is not
 * in {@link BYBIT_PERMISSIONS} is `unknown`.
 * @module
 */

import type { PermissionGrant } from '@exkeys/credentials';
import {
  classifyPermission,
  type KeyFacts,
  summarizeGrants,
  unreadableField,
} from '@exkeys/credentials/exchange';
import { BYBIT_PERMISSIONS } from './permission-table.js';

const EPOCH = Date.parse('1970-01-01T00:00:00Z');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A whole number, or `undefined`. ccxt quotes every number of an answer that holds one too long for
 * a double (e.g. a 16-digit id), so `1` may arrive as `"1"`.
 */
function wholeNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Every value of every group, classified as `Group.Value`. An empty group grants nothing; a group
 * exkeys does not know, a value it does not know, or another spelling (case, separators) is
 * `unknown`. Each value must be a string in a list, or the answer is unreadable.
 */
export function readGrants(permissions: unknown): PermissionGrant[] {
  if (!isRecord(permissions)) unreadableField('result.permissions', 'is not an object');
  const grants = new Map<string, PermissionGrant>();
  for (const [group, values] of Object.entries(permissions)) {
    const field = `result.permissions.${group}`;
    if (!Array.isArray(values)) unreadableField(field, 'is not a list');
    for (const value of values) {
      if (typeof value !== 'string') unreadableField(field, 'holds a value that is not a string');
      const name = `${group}.${value}`;
      grants.set(name, classifyPermission(BYBIT_PERMISSIONS, name));
    }
  }
  return [...grants.values()];
}

/**
 * Expiry as Bybit reports it. `deadlineDay` counts the days left; a negative count, or
 * `expiredAt` at the epoch (`1970-01-01T00:00:00Z`), is Bybit's way to say an IP-bound key never
 * expires. `expiredAt` may be empty for such a key too.
 */
export function readExpiry(result: Record<string, unknown>): {
  expiresAt: string | null;
  expiresInDays: number | null;
} {
  const { expiredAt } = result;
  const days = result.deadlineDay === undefined ? undefined : wholeNumber(result.deadlineDay);
  if (result.deadlineDay !== undefined && days === undefined) {
    unreadableField('result.deadlineDay', 'is not a whole number');
  }
  if (expiredAt !== undefined && typeof expiredAt !== 'string') {
    unreadableField('result.expiredAt', 'is not a date string');
  }
  const at = expiredAt ? Date.parse(expiredAt) : Number.NaN;
  if (expiredAt && Number.isNaN(at)) unreadableField('result.expiredAt', 'is not a date');
  if ((days !== undefined && days < 0) || at === EPOCH) {
    return { expiresAt: null, expiresInDays: null };
  }
  return {
    expiresAt: Number.isNaN(at) || at < EPOCH ? null : new Date(at).toISOString(),
    expiresInDays: days ?? null,
  };
}

/**
 * Maps a query-api answer to `KeyFacts`. A key may trade when it holds any trade-class value:
 * `readOnly: 1` does not cancel trading values Bybit still lists next to it (its own documented
 * example does so), because exkeys cannot tell which of the two Bybit enforces; it warns instead.
 */
export function readKeyInfo(_z: unknown, response: unknown): KeyFacts {
  if (!isRecord(response)) unreadableField('(the whole body)', 'is not a JSON object');
  if (wholeNumber(response.retCode) !== 0) {
    unreadableField('retCode', 'is missing or not 0');
  }
  const { result } = response;
  if (!isRecord(result)) unreadableField('result', 'is missing or not an object');
  const readOnly = wholeNumber(result.readOnly);
  if (readOnly !== 0 && readOnly !== 1) unreadableField('result.readOnly', 'is not 0 or 1');
  const grants = readGrants(result.permissions);
  const ips = result.ips ?? [];
  if (!Array.isArray(ips) || ips.some((ip) => typeof ip !== 'string')) {
    unreadableField('result.ips', 'is not a list of strings');
  }
  const warnings: string[] = [];
  const trading = grants.filter((g) => g.class === 'trade');
  if (readOnly === 1 && trading.length > 0) {
    warnings.push(
      `Bybit marks this key read-only (readOnly: 1) but lists trading permissions (${trading.map((g) => g.name).join(', ')}): exkeys counts them as granted. Remove them from the key to make it a data key.`,
    );
  }
  return {
    permissions: summarizeGrants(grants),
    ipRestricted: ips.length > 0 && !ips.includes('*'),
    ...readExpiry(result),
    warnings,
  };
}
