/**
 * Saving and rotating credentials in a store.
 * @module
 */
import { CredentialsError } from './errors.js';
import { normalizeExchange, normalizeProfile, variableNames } from './names.js';
import type { StoreChanges } from './stores/store.js';
import { type StoreOption, storeFrom } from './stores/store-option.js';

/** Options of {@link saveApiKeys} and {@link updateApiKey}. */
export interface WriteOptions extends StoreOption {
  /**
   * Named profile (`[A-Z0-9]+`), for one dedicated key per bot.
   * @default 'default'
   */
  profile?: string;
}

/** The values {@link saveApiKeys} writes. */
export interface ApiKeyInput {
  /** The API key from the exchange's API management page. */
  apiKey: string;
  /** The API secret (HMAC secret or PEM private key). */
  apiSecret: string;
  /** The passphrase chosen when the key was created (OKX). */
  passphrase?: string;
}

/** What a write changed. Names only. */
export interface WriteResult {
  /** Where it was written: a file path or a store location. */
  location: string;
  /** Variables set or cleared. */
  variables: string[];
}

/**
 * Writes an exchange's key, secret and (when given) passphrase into the store, in place, and records
 * the rotation time. Values are stored faithfully: validation is `validateCredentials`' job.
 * @throws {CredentialsError} `unrepresentable-value` (file untouched), `invalid-exchange`,
 * `invalid-profile`, `io`.
 */
export async function saveApiKeys(
  exchange: string,
  credentials: ApiKeyInput,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const fields = {
    apiKey: requireString(credentials?.apiKey, 'apiKey'),
    apiSecret: requireString(credentials?.apiSecret, 'apiSecret'),
    passphrase:
      credentials?.passphrase === undefined
        ? undefined
        : requireString(credentials.passphrase, 'passphrase'),
  };
  return write(exchange, fields, options);
}

/** Options of {@link updateApiKey}. */
export interface UpdateOptions extends WriteOptions {
  /**
   * The environment to refresh with the new values, so the running process uses them at once.
   * @default process.env
   */
  env?: Record<string, string | undefined>;
}

/** The fields {@link updateApiKey} changes: `undefined` leaves a field alone, `''` clears it. */
export interface ApiKeyUpdate {
  /** New API key. */
  apiKey?: string;
  /** New API secret. */
  apiSecret?: string;
  /** New passphrase. */
  passphrase?: string;
}

/**
 * Rotates credentials: writes the given fields to the store, records the rotation time, and then
 * overwrites them in `env` (`process.env` by default), so the running process uses the new key
 * straight away.
 * @throws {CredentialsError} as {@link saveApiKeys}.
 */
export async function updateApiKey(
  exchange: string,
  update: ApiKeyUpdate,
  options: UpdateOptions = {},
): Promise<WriteResult> {
  const fields = {
    apiKey: update?.apiKey === undefined ? undefined : requireString(update.apiKey, 'apiKey'),
    apiSecret:
      update?.apiSecret === undefined ? undefined : requireString(update.apiSecret, 'apiSecret'),
    passphrase:
      update?.passphrase === undefined ? undefined : requireString(update.passphrase, 'passphrase'),
  };
  const result = await write(exchange, fields, options);
  const env = options.env ?? process.env;
  const names = variableNames(exchange, options.profile);
  const updates: Array<[string, string | undefined]> = [
    [names.key, fields.apiKey],
    [names.secret, fields.apiSecret],
    [names.passphrase, fields.passphrase],
  ];
  for (const [name, value] of updates) {
    if (value === undefined) continue;
    if (value === '') delete env[name];
    else env[name] = value;
  }
  return result;
}

async function write(
  exchange: string,
  fields: {
    apiKey?: string | undefined;
    apiSecret?: string | undefined;
    passphrase?: string | undefined;
  },
  options: WriteOptions,
): Promise<WriteResult> {
  const names = variableNames(normalizeExchange(exchange), normalizeProfile(options.profile));
  const changes: Record<string, string | null> = {};
  const pairs: Array<[string, string | undefined]> = [
    [names.key, fields.apiKey],
    [names.secret, fields.apiSecret],
    [names.passphrase, fields.passphrase],
  ];
  for (const [name, value] of pairs) {
    if (value !== undefined) changes[name] = value === '' ? null : value;
  }
  const store = storeFrom(options);
  const variables = Object.keys(changes);
  if (variables.length === 0) return { location: store.location, variables };
  await store.write(changes as StoreChanges, {
    rotatedAt: { [names.key]: new Date().toISOString() },
  });
  return { location: store.location, variables };
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new CredentialsError(
      'invalid-credentials',
      `${field} must be a string (got ${value === null ? 'null' : typeof value}). Pass the value copied from the exchange.`,
    );
  }
  return value;
}
