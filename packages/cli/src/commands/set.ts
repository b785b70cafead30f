/**
 * `exkeys set <exchange>`: read a key from hidden prompts or stdin, validate it, save it. With
 * `--key-only`, read just the API key and pair it with the secret already stored (the private key
 * `exkeys keygen` generated).
 * @module
 */
import {
  maskKey,
  normalizeExchange,
  saveApiKeys,
  updateApiKey,
  variableNames,
} from '@exkeys/credentials';
import { CommandFailed, EXIT, UsageError } from '../exit-codes.js';
import { profileFlag } from '../messages.js';
import type { SecretFileOptions, StoreOptions } from '../options.js';
import { assertValidNew, readApiKey, readCredentialsOption } from '../secret-input.js';
import { loadPrivateEnv, profileOf, type SelectedStore, selectStore } from '../store-selection.js';
import { err, out, print, printError } from '../terminal.js';

/** Options of `exkeys set`. */
export interface SetOptions extends StoreOptions, SecretFileOptions {
  /** `--key-only`: read only the API key; the secret (and passphrase) already in the store stay. */
  keyOnly?: boolean;
}

/** Runs `exkeys set`. */
export async function setCommand(exchangeArg: string, options: SetOptions): Promise<void> {
  const exchange = normalizeExchange(exchangeArg);
  const profile = profileOf(options);
  if (options.fromFile !== undefined && (options.keyOnly || options.secretFile !== undefined)) {
    throw new UsageError(
      '--from-file reads both the key and the secret from the key file, so it takes no --key-only or --secret-file. Drop one of them.',
    );
  }
  if (options.keyOnly && options.secretFile !== undefined) {
    throw new UsageError(
      '--key-only keeps the stored secret, so it takes no --secret-file. Drop one of them.',
    );
  }
  const store = await selectStore(options, { mayCreate: !options.keyOnly });
  if (options.keyOnly) return setKeyOnly(exchange, profile, store);
  const creds = await readCredentialsOption(exchange, profile, options);
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

async function setKeyOnly(exchange: string, profile: string, store: SelectedStore): Promise<void> {
  const names = variableNames(exchange, profile);
  const before = await loadPrivateEnv(store);
  const secret = before[names.secret];
  if (!secret) {
    printError(
      `${err.red('error')} --key-only pairs the key with a stored secret, and ${names.secret} is not set in ${store.location}. Run \`exkeys keygen ${exchange}${profileFlag(profile)}\`, or \`exkeys set ${exchange}${profileFlag(profile)}\` without --key-only.`,
    );
    throw new CommandFailed(EXIT.failed);
  }
  const apiKey = await readApiKey(exchange, profile);
  if (apiKey === undefined) {
    throw new UsageError(
      `Nothing on stdin. Pipe ${names.key} on one line, or run exkeys in a terminal to get a hidden prompt.`,
    );
  }
  const passphrase = before[names.passphrase];
  assertValidNew(exchange, profile, {
    apiKey,
    apiSecret: secret,
    ...(passphrase === undefined ? {} : { passphrase }),
  });
  await updateApiKey(exchange, { apiKey }, { ...store.target, profile, env: {} });
  const what = profile === 'default' ? exchange : `${exchange} (profile ${profile})`;
  print(
    `${out.green('✔')} saved ${what} key ${maskKey(apiKey)} to ${store.location}, with the secret already there`,
  );
  if (before[names.key]) print(`  It replaced key ${maskKey(before[names.key])}.`);
}
