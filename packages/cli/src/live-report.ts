/**
 * The permissions table of live verification, printed by `verify` and `rotate`.
 * @module
 */
import type { LiveResult } from './live-verification.js';
import { out, print, table } from './terminal.js';

/** The EXPIRES cell: the date, and the days left when the exchange counts them (Bybit). */
function expiry(result: LiveResult): string {
  const date = result.report?.expiresAt?.slice(0, 10);
  const days = result.report?.expiresInDays;
  const left = days === null || days === undefined ? '' : `${days} ${days === 1 ? 'day' : 'days'}`;
  if (date === undefined && left === '') return out.dim('-');
  if (date === undefined) return `in ${left}`;
  return left === '' ? date : `${date} (${left})`;
}

/** Prints the permissions table and the messages below it. */
export function printLiveResults(results: readonly LiveResult[]): void {
  const flag = (value: boolean | undefined, bad: boolean) =>
    value === undefined ? out.dim('?') : value ? (bad ? out.red('YES') : 'yes') : out.dim('no');
  print(
    table(
      ['EXCHANGE', 'PROFILE', 'READ', 'TRADE', 'WITHDRAW', 'IP-WHITELIST', 'EXPIRES', 'RESULT'],
      results.map((result) => [
        result.exchange,
        result.profile,
        flag(result.report?.permissions.read, false),
        flag(result.report?.permissions.trade, false),
        result.report?.unchecked?.includes('withdraw')
          ? out.yellow('unknown')
          : flag(result.report?.permissions.withdraw, true),
        result.report === undefined
          ? out.dim('?')
          : result.report.unchecked?.includes('ip-whitelist')
            ? out.yellow('unknown')
            : result.report.ipRestricted
              ? 'yes'
              : out.yellow('no'),
        expiry(result),
        result.ok
          ? out.green('ok')
          : out.red(result.error?.reason ?? result.error?.code ?? 'failed'),
      ]),
    ),
  );
  for (const result of results) {
    const name = `${result.exchange} (${result.profile})`;
    if (result.error) print(`${out.red('✖')} ${name}: ${result.error.message}`);
    for (const warning of result.warnings) print(`${out.yellow('!')} ${name}: ${warning}`);
  }
}
