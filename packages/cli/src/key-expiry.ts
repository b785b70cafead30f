/**
 * The expiry checks of `doctor --live --expires-within DAYS` and `verify`: a key the exchange will expire within
 * DAYS fails; a key at risk of lapsing because it has no IP binding gets a warning with the date.
 * OKX and KuCoin delete a trade key without an IP binding after 14 and 30 days without use; Bybit
 * expires a key without one 90 days after it was created. Binance ends the trading authority of such a key at
 * `tradingAuthorityExpirationTime`, which the audit reports as the expiry.
 * @module
 */
import { maskKey, variableNames } from '@exkeys/credentials';
import type { DoctorFinding } from './doctor-finding.js';
import type { LiveResult } from './live-verification.js';
import { plural, profileFlag } from './messages.js';
import type { PrivateEnv } from './store-selection.js';

const DAY_MS = 86_400_000;
/**
 * Exchanges that delete a trade key without an IP binding after some days without use: OKX after
 * 14, KuCoin after 30 (or it removes the key's trading permissions,
 * https://www.kucoin.com/support/360015102174).
 */
const INACTIVITY_RULES: Readonly<
  Record<string, { id: DoctorFinding['id']; name: string; days: number; what: string }>
> = {
  okx: { id: 'lapse.okx-inactivity', name: 'OKX', days: 14, what: '' },
  kucoin: {
    id: 'lapse.kucoin-inactivity',
    name: 'KuCoin',
    days: 30,
    what: ' (or removes their trading permissions)',
  },
};
/** Bybit expires an unbound key this many days after it was created. */
const BYBIT_UNBOUND_DAYS = 90;
const BIND = 'bind the key to your IPs; bound keys do not expire';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** When the report says the key expires (ms), from `expiresAt`, else from the days left. */
function expiryOf(result: LiveResult, now: number): number | undefined {
  const report = result.report;
  if (report?.expiresAt) return Date.parse(report.expiresAt);
  if (report?.expiresInDays !== null && report?.expiresInDays !== undefined) {
    return now + report.expiresInDays * DAY_MS;
  }
  return undefined;
}

/**
 * The expiry and lapse findings of the keys verified live. Keys that failed verification get none:
 * their live failure already says why, and they are to be replaced anyway.
 * @param withinDays - A key expiring within this many days fails.
 * @param now - The current time (ms), for tests.
 */
export function checkExpiry(
  results: readonly LiveResult[],
  env: PrivateEnv,
  withinDays: number,
  now: number = Date.now(),
): DoctorFinding[] {
  const findings: DoctorFinding[] = [];
  for (const result of results) {
    const report = result.report;
    if (report === undefined || !result.ok) continue;
    const name = `${result.exchange} (${result.profile})`;
    const rotate = `exkeys rotate ${result.exchange}${profileFlag(result.profile)}`;
    const key = {
      exchange: result.exchange,
      profile: result.profile,
      preview: maskKey(env[variableNames(result.exchange, result.profile).key]),
    };
    const unbound = !report.ipRestricted;
    const expires = expiryOf(result, now);
    const what = result.exchange === 'binance' ? 'trading authority' : 'key';
    if (expires !== undefined && expires - now <= withinDays * DAY_MS) {
      const left = Math.floor((expires - now) / DAY_MS);
      findings.push({
        id: expires <= now ? 'expiry.expired' : 'expiry.soon',
        check: 'expiry',
        status: 'fail',
        key,
        date: new Date(expires).toISOString(),
        message:
          expires <= now
            ? `${name}: ${what} expired on ${day(expires)}`
            : `${name}: ${what} expires on ${day(expires)}, in ${plural(left, 'day')} (--expires-within ${withinDays})`,
        fix: unbound
          ? `${BIND}: bind it on the exchange now, or create a bound key and ${rotate}`
          : `create a new key before ${day(expires)} and ${rotate}`,
      });
      continue;
    }
    if (unbound && result.exchange === 'bybit') {
      const date = expires ?? now + BYBIT_UNBOUND_DAYS * DAY_MS;
      findings.push({
        id: 'lapse.bybit-unbound',
        check: 'lapse',
        status: 'warn',
        key,
        date: new Date(date).toISOString(),
        message: `${name}: Bybit expires keys without an IP binding ${BYBIT_UNBOUND_DAYS} days after creation; this one expires ${expires === undefined ? 'by' : 'on'} ${day(date)}`,
        fix: BIND,
      });
      continue;
    }
    const inactivity = Object.hasOwn(INACTIVITY_RULES, result.exchange)
      ? INACTIVITY_RULES[result.exchange]
      : undefined;
    if (unbound && inactivity && report.permissions.trade) {
      const date = now + inactivity.days * DAY_MS;
      findings.push({
        id: inactivity.id,
        check: 'lapse',
        status: 'warn',
        key,
        date: new Date(date).toISOString(),
        message: `${name}: ${inactivity.name} deletes trade keys without an IP binding${inactivity.what} after ${inactivity.days} days without use; unused from today, this one goes on ${day(date)}`,
        fix: BIND,
      });
      continue;
    }
    findings.push(
      expires === undefined
        ? {
            id: 'expiry.ok',
            check: 'expiry',
            status: 'pass',
            key,
            message: `${name}: the exchange reports no expiry`,
          }
        : {
            id: 'expiry.ok',
            check: 'expiry',
            status: 'pass',
            key,
            date: new Date(expires).toISOString(),
            message: `${name}: ${what} expires on ${day(expires)}, in ${plural(Math.floor((expires - now) / DAY_MS), 'day')}`,
          },
    );
  }
  return findings;
}
