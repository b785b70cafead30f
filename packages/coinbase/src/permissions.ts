/**
 * The Coinbase permission table and the reader of `GET /api/v3/brokerage/key_permissions`, which
 * answers three flags (`can_view`, `can_trade`, `can_transfer`) and the key's portfolio.
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

const KEY_PERMISSIONS_DOC =
  'https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/data-api/get-api-key-permissions';
const SCOPES_DOC =
  'https://docs.cdp.coinbase.com/coinbase-app/authentication-authorization/authorization';

/**
 * Every flag Coinbase documents for `GET /api/v3/brokerage/key_permissions`, with its class:
 * - `can_view`: the View scope (read accounts, orders, balances);
 * - `can_trade`: the Trade scope (place and cancel orders);
 * - `can_transfer`: the Transfer scope, which Coinbase describes as "send and receive funds, on
 *   and off platform" (withdrawals and on-chain sends as well as moves between portfolios). Since
 *   it moves funds off Coinbase, it is `withdraw`, never the internal `transfer` class.
 */
export const COINBASE_PERMISSIONS: PermissionTable = {
  can_view: { class: 'read', doc: KEY_PERMISSIONS_DOC },
  can_trade: { class: 'trade', doc: KEY_PERMISSIONS_DOC },
  can_transfer: { class: 'withdraw', doc: SCOPES_DOC },
};

/** The `portfolio_type` values Coinbase documents for the key's portfolio. */
export const PORTFOLIO_TYPES: ReadonlySet<string> = new Set([
  'UNDEFINED',
  'DEFAULT',
  'CONSUMER',
  'INTX',
]);

/**
 * Reads `GET /api/v3/brokerage/key_permissions`. The three documented flags must be booleans; each
 * one that is `true` is a grant. Any other `can_*` field that is `true` is a permission exkeys does
 * not know (`unknown`, refused). `portfolio_uuid` and `portfolio_type`, when present, must be
 * strings. Coinbase does not report the key's IP allowlist, so the report holds
 * `unchecked: ['ip-whitelist']`.
 * @throws via `unreadableField` for a missing or malformed field (never quoting its value).
 */
export function readKeyPermissions(response: unknown): KeyFacts {
  const body =
    typeof response === 'object' && response !== null && !Array.isArray(response)
      ? (response as Record<string, unknown>)
      : null;
  if (body === null) unreadableField('(the whole body)', 'is not a JSON object');
  const grants: PermissionGrant[] = [];
  for (const flag of Object.keys(COINBASE_PERMISSIONS)) {
    const value = body[flag];
    if (typeof value !== 'boolean') unreadableField(flag, 'is missing or not a boolean');
    if (value) grants.push(classifyPermission(COINBASE_PERMISSIONS, flag));
  }
  for (const [field, value] of Object.entries(body)) {
    if (!field.startsWith('can_') || Object.hasOwn(COINBASE_PERMISSIONS, field)) continue;
    if (typeof value !== 'boolean') unreadableField(field, 'is not a boolean');
    if (value) grants.push(classifyPermission(COINBASE_PERMISSIONS, field));
  }
  for (const field of ['portfolio_uuid', 'portfolio_type']) {
    if (body[field] !== undefined && typeof body[field] !== 'string') {
      unreadableField(field, 'is not a string');
    }
  }
  const type = body.portfolio_type;
  const warnings =
    typeof type === 'string' && type !== '' && !PORTFOLIO_TYPES.has(type)
      ? [
          'Coinbase reported a portfolio type exkeys does not know; the key is scoped to that portfolio.',
        ]
      : [];
  return {
    permissions: { ...summarizeGrants(grants), read: body.can_view === true },
    ipRestricted: false,
    expiresAt: null,
    unchecked: ['ip-whitelist'],
    warnings,
  };
}
