/**
 * `exkeys validate`: the core's static checks on every stored key, with no network call.
 * @module
 */
import { CommandFailed, EXIT } from '../exit-codes.js';
import { validateIn } from '../key-status.js';
import { noKeysMessage } from '../messages.js';
import type { StoreOptions } from '../options.js';
import { loadPrivateEnv, requestedPairs, selectStore } from '../store-selection.js';
import { err, out, print, printError, printJson } from '../terminal.js';

/** Runs `exkeys validate`. */
export async function validateCommand(exchanges: string[], options: StoreOptions): Promise<void> {
  const store = await selectStore(options);
  const env = await loadPrivateEnv(store);
  const pairs = requestedPairs(env, exchanges);
  const results = pairs.map((pair) => validateIn(env, pair.exchange, pair.profile));
  const failed = results.length === 0 || results.some((result) => !result.valid);
  if (options.json) {
    printJson(results);
  } else if (results.length === 0) {
    printError(noKeysMessage(store.location, options.keystore === undefined));
  } else {
    for (const result of results) {
      const name = `${result.exchange} (${result.profile})`;
      print(result.valid ? `${out.green('✔')} ${name}` : `${out.red('✖')} ${name}`);
      for (const issue of result.errors) print(`    ${out.red('error')} ${issue.message}`);
      for (const issue of result.warnings) print(`    ${out.yellow('warning')} ${issue.message}`);
    }
  }
  if (failed) {
    if (!options.json && results.length > 0) printError(err.red('Some keys are not usable.'));
    throw new CommandFailed(EXIT.failed);
  }
}
