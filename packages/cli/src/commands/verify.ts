/**
 * `exkeys verify`: live verification of every configured key at once, with a permissions table.
 * Fails when a key is refused by the exchange or is more powerful than `--purpose` allows.
 * @module
 */
import { CommandFailed, EXIT } from '../exit-codes.js';
import { printLiveResults } from '../live-report.js';
import { endpointFrom, type LiveResult, verifyMany } from '../live-verification.js';
import { noKeysMessage } from '../messages.js';
import type { EndpointOptions, PurposeOptions, StoreOptions } from '../options.js';
import { loadPrivateEnv, requestedPairs, selectStore } from '../store-selection.js';
import { err, printError, printJson, startProgress } from '../terminal.js';

/** Options of `exkeys verify`. */
export interface VerifyOptions extends StoreOptions, EndpointOptions, PurposeOptions {}

/** Runs `exkeys verify`. */
export async function verifyCommand(exchanges: string[], options: VerifyOptions): Promise<void> {
  // A bad --base-url is a usage error before anything is read.
  const endpoint = endpointFrom(options);
  const store = await selectStore(options);
  const env = await loadPrivateEnv(store);
  const pairs = requestedPairs(env, exchanges);
  if (pairs.length === 0) {
    printError(noKeysMessage(store.location));
    throw new CommandFailed(EXIT.failed);
  }
  const progress = startProgress(
    `Verifying ${pairs.map((pair) => `${pair.exchange} (${pair.profile})`).join(', ')}…`,
  );
  let results: LiveResult[];
  try {
    results = await verifyMany(env, pairs, endpoint, { purpose: options.purpose });
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
