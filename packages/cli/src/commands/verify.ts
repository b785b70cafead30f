/**
 * `exkeys verify`: live verification of every configured key at once, with a permissions table.
 * Fails when a key is refused by the exchange or is more powerful than `--purpose` allows.
 * @module
 */
import { CommandFailed, EXIT } from '../exit-codes.js';
import {
  type EndpointOptions,
  endpointFrom,
  type LiveResult,
  verifyMany,
} from '../live-verification.js';
import type { StoreOptions } from '../program.js';
import { loadPrivateEnv, requestedPairs, selectStore } from '../store-selection.js';
import { err, out, print, printError, printJson, startProgress, table } from '../terminal.js';

/** Options of `exkeys verify`. */
export interface VerifyOptions extends StoreOptions, EndpointOptions {
  /** `data` keys must not trade. */
  purpose: 'data' | 'trade';
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
        flag(result.report?.permissions.withdraw, true),
        result.report === undefined
          ? out.dim('?')
          : result.report.ipRestricted
            ? 'yes'
            : out.yellow('no'),
        result.report?.expiresAt?.slice(0, 10) ?? out.dim('-'),
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

/** Runs `exkeys verify`. */
export async function verifyCommand(exchanges: string[], options: VerifyOptions): Promise<void> {
  const store = await selectStore(options);
  const env = await loadPrivateEnv(store);
  const pairs = requestedPairs(env, exchanges);
  if (pairs.length === 0) {
    printError(`No exchange keys in ${store.location}. Add one with \`exkeys set <exchange>\`.`);
    throw new CommandFailed(EXIT.failed);
  }
  const progress = startProgress(
    `Verifying ${pairs.map((pair) => `${pair.exchange} (${pair.profile})`).join(', ')}…`,
  );
  let results: LiveResult[];
  try {
    results = await verifyMany(env, pairs, endpointFrom(options), { purpose: options.purpose });
  } finally {
    progress.stop();
  }
  if (options.json) printJson(results);
  else printLiveResults(results);
  if (results.some((result) => !result.ok)) {
    if (!options.json) printError(err.red('Some keys failed verification or are unsafe.'));
    throw new CommandFailed(EXIT.failed);
  }
}
