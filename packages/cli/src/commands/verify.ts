/**
 * `exkeys verify`: live verification of every configured key at once, with a permissions table.
 * Fails when a key is refused by the exchange or is more powerful than `--purpose` allows.
 * @module
 */
import { normalizeExchange } from '@exkeys/credentials';
import { CommandFailed, EXIT, UsageError } from '../exit-codes.js';
import { checkExpiry } from '../key-expiry.js';
import { printLiveResults } from '../live-report.js';
import {
  describeTarget,
  endpointFrom,
  type LiveResult,
  VERIFIABLE_EXCHANGES,
  verifyMany,
} from '../live-verification.js';
import { noKeysMessage } from '../messages.js';
import {
  type EndpointOptions,
  type PurposeOptions,
  parseAllowPermissions,
  type StoreOptions,
} from '../options.js';
import { loadPrivateEnv, requestedPairs, selectStore } from '../store-selection.js';
import { err, printError, printJson, startProgress } from '../terminal.js';

/** `verify` warns about keys that expire (or may lapse) within this many days, as doctor's default. */
const EXPIRY_WARNING_DAYS = 14;

/** Options of `exkeys verify`. */
export interface VerifyOptions extends StoreOptions, EndpointOptions, PurposeOptions {}

/** Runs `exkeys verify`. */
export async function verifyCommand(exchanges: string[], options: VerifyOptions): Promise<void> {
  // A bad --base-url or an exchange exkeys cannot verify is a usage error before anything is read.
  endpointFrom(options);
  for (const exchange of exchanges) {
    const id = normalizeExchange(exchange);
    if (!VERIFIABLE_EXCHANGES.includes(id)) {
      throw new UsageError(
        `exkeys cannot verify ${id} keys live (supported: ${VERIFIABLE_EXCHANGES.join(', ')}).`,
      );
    }
  }
  const allowPermissions = parseAllowPermissions(options.allowPermission);
  const store = await selectStore(options);
  const env = await loadPrivateEnv(store);
  const endpoint = endpointFrom(options, { ...env, ...process.env });
  const pairs = requestedPairs(env, exchanges);
  if (pairs.length === 0) {
    if (options.json) printJson([]);
    printError(noKeysMessage(store.location, options.keystore === undefined));
    throw new CommandFailed(EXIT.failed);
  }
  printError(describeTarget(endpoint, options, store.location));
  const progress = startProgress(
    `Verifying ${pairs.map((pair) => `${pair.exchange} (${pair.profile})`).join(', ')}…`,
  );
  let results: LiveResult[];
  try {
    results = await verifyMany(env, pairs, endpoint, {
      purpose: options.purpose,
      allowPermissions,
      acceptUnchecked: options.acceptUnchecked ?? [],
    });
  } finally {
    progress.stop();
  }
  // Expiry and lapse risks (the checks doctor --live fails on) become warnings of their key here.
  for (const finding of checkExpiry(results, env, EXPIRY_WARNING_DAYS)) {
    if (finding.status === 'pass') continue;
    const result = results.find(
      (r) => r.exchange === finding.key?.exchange && r.profile === finding.key?.profile,
    );
    result?.warnings.push(`${finding.message.replace(/^[^:]+: /, '')}. Fix: ${finding.fix}.`);
  }
  if (options.json) printJson(results);
  else printLiveResults(results);
  if (results.some((result) => !result.ok)) {
    if (!options.json) printError(err.red('Some keys failed verification or are unsafe.'));
    throw new CommandFailed(EXIT.failed);
  }
}
