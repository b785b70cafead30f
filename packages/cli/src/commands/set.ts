/**
 * `exkeys set <exchange>`: read a key from hidden prompts or stdin, validate it, save it.
 * @module
 */
import { maskKey, normalizeExchange, saveApiKeys, variableNames } from '@exkeys/credentials';
import type { SecretFileOptions, StoreOptions } from '../options.js';
import { assertValidNew, readNewCredentials } from '../secret-input.js';
import { loadPrivateEnv, profileOf, selectStore } from '../store-selection.js';
import { out, print } from '../terminal.js';

/** Options of `exkeys set`. */
export interface SetOptions extends StoreOptions, SecretFileOptions {}

/** Runs `exkeys set`. */
export async function setCommand(exchangeArg: string, options: SetOptions): Promise<void> {
  const exchange = normalizeExchange(exchangeArg);
  const profile = profileOf(options);
  const store = await selectStore(options, { mayCreate: true });
  const creds = await readNewCredentials(
    exchange,
    profile,
    options.secretFile === undefined ? {} : { secretFile: options.secretFile },
  );
  assertValidNew(exchange, profile, creds);
  const names = variableNames(exchange, profile);
  const before = await loadPrivateEnv(store);
  await saveApiKeys(exchange, creds, { ...store.target, profile });
  const what = profile === 'default' ? exchange : `${exchange} (profile ${profile})`;
  print(`${out.green('✔')} saved ${what} key ${maskKey(creds.apiKey)} to ${store.location}`);
  if (before[names.key]) {
    print(
      `  It replaced key ${maskKey(before[names.key])}. Next time use \`exkeys rotate ${exchange}\`: it verifies the new key before swapping.`,
    );
  }
}
