/**
 * Key policy: what a verified key may do. Shared by the exchange packages, the CLI and the bot.
 * @module
 */
import { UnsafeKeyError, type UnsafeKeyReason } from './errors.js';

/** What an exchange says a key can do, from its key-information endpoint. */
export interface KeyPermissions {
  /** Can read market data and account state. */
  read: boolean;
  /** Can place and cancel orders. */
  trade: boolean;
  /** Can move funds off the exchange. A bot key must never have this. */
  withdraw: boolean;
}

/** The result of live key verification (`verifyBybitKey` and friends). Holds no secret. */
export interface KeyReport {
  /** Lowercase exchange id. */
  exchange: string;
  /** Profile name, `default` for the plain variables. */
  profile: string;
  /** What the key can do. */
  permissions: KeyPermissions;
  /** True when the key only works from whitelisted IP addresses. */
  ipRestricted: boolean;
  /** When the key expires (ISO 8601), or `null` when it does not or the exchange does not say. */
  expiresAt: string | null;
  /** Things the user should know, e.g. that permissions could not be audited on a testnet. */
  warnings: string[];
}

/** What a key is for, and how strict to be. */
export interface KeyPolicy {
  /** `data` keys must not trade; `trade` keys may. Neither may withdraw. */
  purpose: 'data' | 'trade';
  /**
   * Refuse keys without an IP whitelist. When false, such a key only gets a warning.
   * @default false
   */
  requireIpWhitelist?: boolean;
}

/** What `assertSafeKey` returns for a key it accepts. */
export interface SafeKeyResult {
  /** Advice that does not refuse the key, such as a missing IP whitelist. */
  warnings: string[];
}

/**
 * Refuses a key that is more powerful than `policy` allows: one that can withdraw (always), a `data`
 * key that can trade, or a key without an IP whitelist when the policy requires one.
 * @returns the warnings for a key that passes (e.g. no IP whitelist).
 * @throws {UnsafeKeyError} listing every reason, with what to change on the exchange.
 */
export function assertSafeKey(report: KeyReport, policy: KeyPolicy): SafeKeyResult {
  const reasons: UnsafeKeyReason[] = [];
  const fixes: string[] = [];
  const where = `${report.exchange} key (profile ${report.profile})`;
  if (report.permissions.withdraw) {
    reasons.push('withdraw-enabled');
    fixes.push('it can WITHDRAW funds: revoke it now and create a key without withdraw permission');
  }
  if (policy.purpose === 'data' && report.permissions.trade) {
    reasons.push('trade-on-data-key');
    fixes.push('it can trade but is used for data only: create a read-only key');
  }
  const warnings: string[] = [];
  if (!report.ipRestricted) {
    if (policy.requireIpWhitelist) {
      reasons.push('no-ip-whitelist');
      fixes.push("it has no IP whitelist: restrict it to your bot's IP addresses");
    } else {
      warnings.push(`The ${where} has no IP whitelist. Restrict it to your bot's IP addresses.`);
    }
  }
  if (reasons.length > 0) {
    throw new UnsafeKeyError(
      report.exchange,
      report.profile,
      reasons,
      `Refusing the ${where}: ${fixes.join('; ')}.`,
    );
  }
  return { warnings };
}
