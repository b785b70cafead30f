/**
 * Key policy: what a verified key may do. Shared by the exchange packages, the CLI and the bot.
 * The audit fails closed: a permission exkeys does not know is refused, never guessed at.
 * @module
 */
import { UnsafeKeyError, type UnsafeKeyReason } from './errors.js';

/**
 * How exkeys classifies one permission an exchange reports:
 * - `read`: reads market data or account state;
 * - `trade`: places orders (spot, derivatives, convert, earn...);
 * - `transfer`: moves funds between the user's own accounts only;
 * - `payout`: pays funds out to another party (P2P release, payment orders...);
 * - `withdraw`: sends funds off the exchange;
 * - `unknown`: not in the exchange package's documented table, so exkeys cannot say what it allows.
 */
export type PermissionClass = 'read' | 'trade' | 'transfer' | 'payout' | 'withdraw' | 'unknown';

/** One permission as the exchange reported it, with its class. Holds no secret. */
export interface PermissionGrant {
  /**
   * The permission as the exchange spells it: Bybit `Group.Value` (e.g. `FiatP2P.FiatP2POrder`),
   * a Binance flag (e.g. `enableFixApiTrade`), an OKX `perm` token (e.g. `read_only`).
   */
  name: string;
  /** How exkeys classifies it. */
  class: PermissionClass;
}

/** What an exchange says a key can do, from its key-information endpoint. */
export interface KeyPermissions {
  /** Can read market data and account state. */
  read: boolean;
  /** Can place and cancel orders. */
  trade: boolean;
  /** Can move funds off the exchange or pay them out to another party. A bot key must never have this. */
  withdraw: boolean;
  /** Can move funds between the user's own accounts (a warning, not a refusal). */
  transfer: boolean;
  /**
   * Every permission the exchange reported, classified. Empty when the endpoint reports only
   * booleans (or for a fallback endpoint that cannot audit).
   */
  grants: readonly PermissionGrant[];
}

/**
 * A fact about a key that some exchanges do not report, so the audit cannot check it:
 * - `withdraw`: whether the key can withdraw (or pay out) funds;
 * - `ip-whitelist`: whether the key is bound to IP addresses.
 */
export type UncheckedFact = (typeof UNCHECKED_FACTS)[number];

/** Every {@link UncheckedFact}, in the order messages list them. */
export const UNCHECKED_FACTS: readonly ['withdraw', 'ip-whitelist'] = Object.freeze([
  'withdraw',
  'ip-whitelist',
] as const);

/** The result of live key verification (`verifyBybitKey` and friends). Holds no secret. */
export interface KeyReport {
  /** Lowercase exchange id. */
  exchange: string;
  /** Profile name, `default` for the plain variables. */
  profile: string;
  /** What the key can do. */
  permissions: KeyPermissions;
  /**
   * True when the key only works from whitelisted IP addresses. Meaningless when
   * {@link KeyReport.unchecked} holds `ip-whitelist`.
   */
  ipRestricted: boolean;
  /**
   * What the exchange does not report about this key, so the audit could not check it (the report
   * shows it as unknown). `assertSafeKey` refuses such a key unless the policy accepts the fact.
   * @default []
   */
  unchecked?: readonly UncheckedFact[];
  /** When the key expires (ISO 8601), or `null` when it does not or the exchange does not say. */
  expiresAt: string | null;
  /**
   * Whole days until the key expires, as the exchange counts them (Bybit `deadlineDay`), or `null`
   * when the key does not expire or the exchange does not say.
   */
  expiresInDays: number | null;
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
  /**
   * Permissions the user accepts knowingly, as `exchange:Name` (e.g. `bybit:FiatP2P` for the whole
   * group, `bybit:FiatP2P.Advertising` for one value, `binance:enableFoo`, `okx:some_token`). Only
   * `unknown` and `payout` permissions can be accepted: a permission that withdraws is always
   * refused, and whether a key may trade is decided by `purpose`.
   * @default []
   */
  allowPermissions?: readonly string[];
  /**
   * Facts the exchange does not report that the user has checked on the exchange's key page and
   * accepts (see {@link KeyReport.unchecked}). Each accepted fact still gives a warning.
   * @default []
   */
  acceptUnchecked?: readonly UncheckedFact[];
}

/** What `assertSafeKey` returns for a key it accepts. */
export interface SafeKeyResult {
  /** Advice that does not refuse the key, such as a missing IP whitelist. */
  warnings: string[];
}

/** True when `grant` of `exchange` is named by an `allowPermissions` entry (exact, or its group). */
export function isPermissionAllowed(
  exchange: string,
  grant: PermissionGrant,
  allowPermissions: readonly string[] = [],
): boolean {
  if (grant.class === 'withdraw') return false;
  const qualified = `${exchange}:${grant.name}`;
  return allowPermissions.some((entry) => qualified === entry || qualified.startsWith(`${entry}.`));
}

/**
 * Refuses a key that is more powerful than `policy` allows: one that can withdraw or pay out
 * (always), one holding a permission exkeys does not know, a `data` key that can trade, or a key
 * without an IP whitelist when the policy requires one.
 * @returns the warnings for a key that passes (e.g. no IP whitelist, internal transfers).
 * @throws {UnsafeKeyError} listing every reason and the permissions concerned, with what to change.
 */
export function assertSafeKey(report: KeyReport, policy: KeyPolicy): SafeKeyResult {
  const reasons: UnsafeKeyReason[] = [];
  const fixes: string[] = [];
  const named: PermissionGrant[] = [];
  const where = `${report.exchange} key (profile ${report.profile})`;
  const { permissions } = report;
  const allowed = (grant: PermissionGrant) =>
    isPermissionAllowed(report.exchange, grant, policy.allowPermissions);
  const withdrawing = permissions.grants.filter((g) => g.class === 'withdraw');
  const paying = permissions.grants.filter((g) => g.class === 'payout' && !allowed(g));
  const explained = permissions.grants.some((g) => g.class === 'withdraw' || g.class === 'payout');
  // A report that says "withdraw" without naming the permission is refused too.
  const bareWithdraw = permissions.withdraw && !explained;
  if (withdrawing.length > 0 || paying.length > 0 || bareWithdraw) {
    reasons.push('withdraw-enabled');
    named.push(...withdrawing, ...paying);
    if (withdrawing.length > 0 || bareWithdraw) {
      const which = withdrawing.length > 0 ? ` (${list(withdrawing)})` : '';
      fixes.push(
        `it can WITHDRAW funds${which}: revoke it now and create a key without withdraw permission`,
      );
    }
    if (paying.length > 0) {
      fixes.push(
        `it can PAY OUT funds to other parties (${list(paying)}): revoke it now and create a key without P2P, payment or broker permissions`,
      );
    }
  }
  const unknown = permissions.grants.filter((g) => g.class === 'unknown' && !allowed(g));
  if (unknown.length > 0) {
    reasons.push('unknown-permission');
    named.push(...unknown);
    const groups = [...new Set(unknown.map((g) => `${report.exchange}:${g.name.split('.')[0]}`))];
    fixes.push(
      `exkeys does not know the permission${unknown.length === 1 ? '' : 's'} ${list(unknown)}, so it cannot tell whether ${unknown.length === 1 ? 'it moves' : 'they move'} funds: remove ${unknown.length === 1 ? 'it' : 'them'} from the key, or, once you have checked what ${unknown.length === 1 ? 'it allows' : 'they allow'}, accept ${unknown.length === 1 ? 'it' : 'them'} with allowPermissions ${JSON.stringify(groups)} (CLI: ${groups.map((g) => `--allow-permission ${g}`).join(' ')})`,
    );
  }
  const unchecked = UNCHECKED_FACTS.filter((fact) => report.unchecked?.includes(fact));
  const notAccepted = unchecked.filter((fact) => !policy.acceptUnchecked?.includes(fact));
  if (notAccepted.length > 0) {
    reasons.push('unchecked');
    fixes.push(
      `${report.exchange} does not report ${notAccepted.map((fact) => UNCHECKED_WORDS[fact]).join(' or ')}, so exkeys could not check ${notAccepted.length === 1 ? 'it' : 'them'}: look at the key on the exchange's API page and, once sure, accept ${notAccepted.length === 1 ? 'it' : 'them'} with acceptUnchecked ${JSON.stringify(notAccepted)} (CLI: ${notAccepted.map((fact) => `--accept-unchecked ${fact}`).join(' ')})`,
    );
  }
  const trading = permissions.trade || permissions.grants.some((g) => g.class === 'trade');
  if (policy.purpose === 'data' && trading) {
    reasons.push('trade-on-data-key');
    named.push(...permissions.grants.filter((g) => g.class === 'trade'));
    fixes.push('it can trade but is used for data only: create a read-only key');
  }
  const warnings: string[] = [];
  if (!report.ipRestricted && !unchecked.includes('ip-whitelist')) {
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
      { permissions: named },
    );
  }
  const transfers = permissions.grants.filter((g) => g.class === 'transfer');
  if (permissions.transfer || transfers.length > 0) {
    const which = transfers.length > 0 ? ` (${list(transfers)})` : '';
    warnings.push(
      `The ${where} can transfer funds between your own accounts${which}: turn that off unless the bot needs it.`,
    );
  }
  for (const fact of unchecked) {
    warnings.push(
      `The ${where}: ${report.exchange} does not report ${UNCHECKED_WORDS[fact]}; accepted by acceptUnchecked, exkeys did not check it.`,
    );
  }
  const accepted = permissions.grants.filter(
    (g) => (g.class === 'unknown' || g.class === 'payout') && allowed(g),
  );
  if (accepted.length > 0) {
    warnings.push(
      `The ${where} holds ${list(accepted)}, accepted by allowPermissions: exkeys did not audit ${accepted.length === 1 ? 'it' : 'them'}.`,
    );
  }
  return { warnings };
}

const UNCHECKED_WORDS: Readonly<Record<UncheckedFact, string>> = {
  withdraw: 'whether the key can withdraw funds',
  'ip-whitelist': 'whether the key has an IP whitelist',
};

function list(grants: readonly PermissionGrant[]): string {
  return grants.map((g) => g.name).join(', ');
}
