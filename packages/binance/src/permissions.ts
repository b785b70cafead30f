/**
 * The Binance permission table and the reader of `GET /sapi/v1/account/apiRestrictions`. The
 * reader walks the raw answer, so a flag exkeys does not know is seen, never dropped.
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

const DOC = 'https://developers.binance.com/docs/wallet/account/api-key-permission';

/**
 * Every permission flag Binance documents for `GET /sapi/v1/account/apiRestrictions`, by class.
 * A flag grants its permission when it is `true`.
 */
export const BINANCE_PERMISSIONS: PermissionTable = {
  enableReading: { class: 'read', doc: DOC },
  enableFixReadOnly: { class: 'read', doc: DOC },
  enableSpotAndMarginTrading: { class: 'trade', doc: DOC },
  enableMargin: { class: 'trade', doc: DOC },
  enableFutures: { class: 'trade', doc: DOC },
  enableVanillaOptions: { class: 'trade', doc: DOC },
  enablePortfolioMarginTrading: { class: 'trade', doc: DOC },
  enableFixApiTrade: { class: 'trade', doc: DOC },
  enableInternalTransfer: { class: 'transfer', doc: DOC },
  permitsUniversalTransfer: { class: 'transfer', doc: DOC },
  enableWithdrawals: { class: 'withdraw', doc: DOC },
};

/**
 * Flags present in every documented answer: missing or not a boolean, the answer is unreadable.
 * The portfolio-margin and FIX flags came later; when absent they grant nothing.
 */
export const REQUIRED_FLAGS: readonly string[] = [
  'ipRestrict',
  'enableReading',
  'enableWithdrawals',
  'enableInternalTransfer',
  'permitsUniversalTransfer',
  'enableMargin',
  'enableFutures',
  'enableVanillaOptions',
  'enableSpotAndMarginTrading',
];

/** Documented fields that are not permissions: timestamps in ms. */
const TIMES = ['createTime', 'tradingAuthorityExpirationTime'];

const DAY_MS = 86_400_000;

/**
 * Reads `GET /sapi/v1/account/apiRestrictions` at time `now`. Every field of the raw answer is
 * looked at: a documented flag that is `true` grants its class; a field exkeys does not know
 * grants `unknown` unless it is `false`. When `tradingAuthorityExpirationTime` has passed, Binance
 * keeps the key but ends its spot and margin trading authority: `enableSpotAndMarginTrading` then
 * grants nothing, with a warning.
 * @throws via `unreadableField` for a missing or malformed field (never quoting its value).
 */
export function readApiRestrictions(response: unknown, now: number = Date.now()): KeyFacts {
  if (typeof response !== 'object' || response === null || Array.isArray(response)) {
    unreadableField('(the whole body)', 'is not a JSON object');
  }
  const r = response as Record<string, unknown>;
  for (const field of REQUIRED_FLAGS) {
    if (typeof r[field] !== 'boolean') unreadableField(field, 'is missing or not a boolean');
  }
  for (const field of TIMES) {
    const value = r[field];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value))) {
      unreadableField(field, 'is not a number of milliseconds');
    }
  }
  const expiry = r.tradingAuthorityExpirationTime as number | undefined;
  const lapsed = expiry !== undefined && expiry <= now;
  const grants: PermissionGrant[] = [];
  for (const [field, value] of Object.entries(r)) {
    if (field === 'ipRestrict' || TIMES.includes(field)) continue;
    const grant = classifyPermission(BINANCE_PERMISSIONS, field);
    if (grant.class !== 'unknown' && typeof value !== 'boolean' && value !== undefined) {
      unreadableField(field, 'is not a boolean');
    }
    // An unknown field is harmless only when it says `false`.
    if (grant.class === 'unknown' ? value === false : value !== true) continue;
    if (lapsed && field === 'enableSpotAndMarginTrading') continue;
    grants.push(grant);
  }
  const expiresAt = expiry === undefined ? null : new Date(expiry).toISOString();
  const warnings: string[] = [];
  if (lapsed && r.enableSpotAndMarginTrading === true) {
    warnings.push(
      `The Binance key's trading authority expired at ${expiresAt}: it can read but no longer trade spot or margin. Restrict the key to your IP addresses (whitelisted keys do not lapse) or create a new key.`,
    );
  }
  return {
    permissions: { ...summarizeGrants(grants), read: r.enableReading === true },
    ipRestricted: r.ipRestrict === true,
    expiresAt,
    expiresInDays: expiry === undefined ? null : Math.max(0, Math.floor((expiry - now) / DAY_MS)),
    warnings,
  };
}
