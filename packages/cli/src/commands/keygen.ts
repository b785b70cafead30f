/**
 * `exkeys keygen <exchange>`: generate the key pair on this machine, store the private key as the
 * profile's secret (before anything is shown, so a public key the user registers always has its
 * private half stored), print the public key for the exchange's API page, then read the API key the
 * exchange gives back. The private key is never printed; stdout carries the public key alone, so
 * `exkeys keygen binance --no-key > binance.pub` writes a clean file.
 * @module
 */
import {
  describePemKeyTypes,
  EXCHANGES,
  exchangeFacts,
  maskKey,
  normalizeExchange,
  type PemKeyType,
  updateApiKey,
  validateCredentials,
  variableNames,
} from '@exkeys/credentials';
import { CommandFailed, EXIT, UsageError } from '../exit-codes.js';
import { generatePemKeyPair, RSA_BITS } from '../key-pair.js';
import { profileFlag } from '../messages.js';
import type { StoreOptions } from '../options.js';
import { readApiKey } from '../secret-input.js';
import { loadPrivateEnv, profileOf, selectStore } from '../store-selection.js';
import { err, print, printError } from '../terminal.js';

/** Options of `exkeys keygen`. */
export interface KeygenOptions extends StoreOptions {
  /** `--type`: the key type. @default the first type of the exchange's `pemKeyTypes` */
  type?: string;
  /** False with `--no-key`: stop after storing the private key and printing the public key. */
  key: boolean;
}

const TYPE_NAMES: Readonly<Record<PemKeyType, string>> = {
  ed25519: 'Ed25519',
  rsa: `RSA-${RSA_BITS}`,
  'ec-p256': 'EC P-256',
};

/**
 * The key type to generate: `--type`, or the first type the exchange table lists (Ed25519 for
 * Binance, RSA for Bybit).
 * @throws {UsageError} for an exchange with HMAC keys only, or a type the exchange does not accept.
 */
export function keyTypeFor(exchange: string, requested: string | undefined): PemKeyType {
  const facts = exchangeFacts(exchange);
  const accepted = facts?.pemKeyTypes ?? [];
  const first = accepted[0];
  if (facts?.exchangeGeneratesKeys) {
    throw new UsageError(
      `${facts.name} generates the key pair itself: create the key on ${facts.apiManagementPage}, download its key file and store it with \`exkeys set ${exchange} --from-file <key file>\`.`,
    );
  }
  if (facts === undefined || first === undefined) {
    const supported = Object.values(EXCHANGES)
      .filter((row) => row.pemKeyTypes.length > 0 && !row.exchangeGeneratesKeys)
      .map((row) => row.id)
      .join(', ');
    const why =
      facts === undefined
        ? `exkeys does not know whether ${exchange} accepts self-generated keys`
        : `${facts.name} API keys are HMAC keys only: ${facts.name} creates the key and its secret together on ${facts.apiManagementPage}, so there is no key pair to generate`;
    throw new UsageError(
      `${why}. Create the key on the exchange and store it with \`exkeys set ${exchange}\`. keygen supports ${supported}.`,
    );
  }
  if (requested === undefined) return first;
  const match = accepted.find((type) => type === requested.toLowerCase());
  if (match === undefined) {
    throw new UsageError(
      `--type ${JSON.stringify(requested)}: ${facts.name} accepts ${describePemKeyTypes(accepted)} keys (${accepted.map((type) => `--type ${type}`).join(' or ')}).`,
    );
  }
  return match;
}

/** Runs `exkeys keygen`. */
export async function keygenCommand(exchangeArg: string, options: KeygenOptions): Promise<void> {
  const exchange = normalizeExchange(exchangeArg);
  const type = keyTypeFor(exchange, options.type);
  const facts = exchangeFacts(exchange);
  const name = facts?.name ?? exchange;
  const profile = profileOf(options);
  const names = variableNames(exchange, profile);
  const store = await selectStore(options, { mayCreate: true });
  const current = await loadPrivateEnv(store);
  const taken = [names.key, names.secret, names.passphrase].filter((variable) => current[variable]);
  if (taken.length > 0) {
    printError(
      `${err.red('error')} ${taken.join(' and ')} already set in ${store.location}: keygen never replaces a key. Choose another --profile, or replace the key with \`exkeys rotate ${exchange}${profileFlag(profile)}\`.`,
    );
    throw new CommandFailed(EXIT.failed);
  }

  const pair = generatePemKeyPair(type);
  // A guard, not a formality: the core decides what a valid secret is, and a key it would refuse
  // later must not be registered on the exchange now.
  const secretIssues = validateCredentials(exchange, {
    profile,
    env: { [names.secret]: pair.privatePem },
  }).errors.filter((issue) => issue.variable === names.secret);
  if (secretIssues.length > 0) {
    for (const issue of secretIssues) printError(`${err.red('error')} ${issue.message}`);
    printError('Nothing was saved.');
    throw new CommandFailed(EXIT.failed);
  }
  await updateApiKey(
    exchange,
    { apiSecret: pair.privatePem },
    { ...store.target, profile, env: {} },
  );
  printError(
    `${err.green('✔')} generated an ${TYPE_NAMES[type]} key pair on this machine; the private key is ${names.secret} in ${store.location} (never shown).`,
  );
  printError(
    `Register this public key on ${name} (${facts?.apiManagementPage ?? 'its API management page'}): create a self-generated API key and paste the whole block, BEGIN and END lines included.`,
  );
  print(pair.publicPem);

  const later = `exkeys set ${exchange}${profileFlag(profile)} --key-only`;
  if (!options.key) {
    printError(`Then store the API key ${name} shows you: \`${later}\`.`);
    return;
  }
  if (!process.stdin.isTTY) printError(`Reading ${names.key} from stdin…`);
  const apiKey = await readApiKey(exchange, profile, ` that ${name} shows for this public key`);
  if (apiKey === undefined) {
    throw new UsageError(
      `Nothing on stdin for ${names.key}. The private key is stored; add the API key with \`${later}\`, or run keygen with --no-key.`,
    );
  }
  const result = validateCredentials(exchange, {
    profile,
    env: { [names.key]: apiKey, [names.secret]: pair.privatePem },
  });
  for (const warning of result.warnings) printError(`${err.yellow('warning')} ${warning.message}`);
  if (!result.valid) {
    for (const issue of result.errors) printError(`${err.red('error')} ${issue.message}`);
    printError(
      `The API key was not saved; the private key stays in ${store.location}. Retry with \`${later}\`.`,
    );
    throw new CommandFailed(EXIT.failed);
  }
  await updateApiKey(exchange, { apiKey }, { ...store.target, profile, env: {} });
  printError(
    `${err.green('✔')} saved ${name} key ${maskKey(apiKey)} with its ${TYPE_NAMES[type]} private key to ${store.location}. Check it live: \`exkeys verify ${exchange}\`.`,
  );
}
