/**
 * Reads KuCoin's `GET /api/v1/user/api-key` answer into `KeyFacts`, failing closed: a field the
 * audit needs that is missing or malformed is `unreadable-response`, and a permission that is not
 * in {@link KUCOIN_PERMISSIONS} is `unknown`.
 * @module
 */
import type { PermissionGrant } from '@exkeys/credentials';
import {
  classifyPermission,
  type KeyFacts,
  summarizeGrants,
  unreadableField,
} from '@exkeys/credentials/exchange';
import { KUCOIN_PERMISSIONS } from './permission-table.js';

/** How an empty token (`General,,Spot`, a trailing comma) is named in a report. */
export const EMPTY_TOKEN = '(empty token)';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Splits a `permission` string into classified grants: on `,` only, each token trimmed and matched
 * case-insensitively. Any other token, one joined by another separator (`General;Spot`) and an
 * empty token are `unknown`: exkeys cannot tell what they allow.
 */
export function classifyPermissionString(permission: string): PermissionGrant[] {
  const grants = new Map<string, PermissionGrant>();
  for (const raw of permission.split(',')) {
    const token = raw.trim();
    const grant: PermissionGrant =
      token === ''
        ? { name: EMPTY_TOKEN, class: 'unknown' }
        : classifyPermission(KUCOIN_PERMISSIONS, token, (name) => name.toLowerCase());
    grants.set(grant.name, grant);
  }
  return [...grants.values()];
}

/**
 * Maps a Get Apikey Info answer to `KeyFacts`. `code` must be `'200000'`, `data` an object with a
 * non-empty string `permission`; `ipWhitelist`, when present, a string (KuCoin lists masked
 * addresses, comma-separated, and leaves it empty or out for a key without a whitelist). KuCoin
 * reports no expiry (it deletes trading keys without an IP whitelist after 30 days unused).
 */
export function readApiKeyInfo(_z: unknown, response: unknown): KeyFacts {
  if (!isRecord(response)) unreadableField('(the whole body)', 'is not a JSON object');
  if (response.code !== '200000') unreadableField('code', 'is missing or not "200000"');
  const { data } = response;
  if (!isRecord(data)) unreadableField('data', 'is missing or not an object');
  const { permission, ipWhitelist } = data;
  if (typeof permission !== 'string') {
    unreadableField('data.permission', 'is missing or not a string');
  }
  if (permission.trim() === '') unreadableField('data.permission', 'is empty');
  if (ipWhitelist !== undefined && ipWhitelist !== null && typeof ipWhitelist !== 'string') {
    unreadableField('data.ipWhitelist', 'is not a string');
  }
  const grants = classifyPermissionString(permission);
  const ipRestricted =
    typeof ipWhitelist === 'string' && ipWhitelist.split(',').some((ip) => ip.trim() !== '');
  return {
    permissions: summarizeGrants(grants),
    ipRestricted,
    expiresAt: null,
  };
}
