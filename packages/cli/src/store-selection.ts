/**
 * Which store a command works on: the `.env` file (default); an age keystore given with
 * `--keystore`, opened with the key `keystore.ts` finds (environment, identity file, keychain, or a
 * hidden passphrase prompt); or the secret files of `--secret-files` (systemd credentials, Docker
 * secrets).
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AGE_KEY_VARIABLES,
  ageStore,
  type CredentialStore,
  loadApiKeys,
  normalizeExchange,
  normalizeProfile,
  parseVariableName,
  secretFilesStore,
} from '@exkeys/credentials';
import { UsageError } from './exit-codes.js';
import type { StoreOptions } from './options.js';

/** The store a command uses, in the shapes the core's functions take. */
export interface SelectedStore {
  /** For messages: the file path. */
  location: string;
  /** Absolute paths of files holding secrets (the env file or keystore, and an identity file). */
  files: string[];
  /** Pass to `saveApiKeys`, `updateApiKey`, `listConfiguredExchanges`. */
  target: { envFile?: string; store?: CredentialStore };
  /** Pass to `loadApiKeys`. */
  load: { envFile?: string; stores?: CredentialStore[] };
}

/**
 * Opens the store named by the command's options. A `--env-file` or `--keystore` the user named
 * must exist, unless the command creates it (`mayCreate`, for `set`); the default `.env` may be
 * missing.
 * @throws {UsageError} for a named store file that does not exist.
 */
export async function selectStore(
  options: StoreOptions,
  { mayCreate = false }: { mayCreate?: boolean } = {},
): Promise<SelectedStore> {
  const named = options.keystore ?? (options.envFileGiven ? options.envFile : undefined);
  if (named !== undefined && !mayCreate && !existsSync(named)) {
    const flag = options.keystore === undefined ? '--env-file' : '--keystore';
    throw new UsageError(
      `No file at ${named} (${flag}): check the path${flag === '--keystore' ? ', or create the keystore with `exkeys encrypt` or `exkeys set --keystore`' : ', or leave out --env-file to use ./.env'}.`,
    );
  }
  if (options.secretFiles !== undefined) {
    // Mounted secrets and systemd credentials: read-only, and not files the user keeps private.
    const store = secretFilesStore(
      options.secretFiles === true ? undefined : resolve(options.secretFiles),
    );
    return { location: store.location, files: [], target: { store }, load: { stores: [store] } };
  }
  if (options.keystore === undefined) {
    const envFile = resolve(options.envFile);
    return {
      location: options.envFile,
      files: [envFile],
      target: { envFile },
      load: { envFile },
    };
  }
  const { keystoreOptions } = await import('./keystore.js');
  const path = resolve(options.keystore);
  const store = ageStore(await keystoreOptions(path, options.acceptRecipients));
  const identityFile = process.env[AGE_KEY_VARIABLES.identityFile];
  return {
    location: options.keystore,
    files: identityFile ? [path, resolve(identityFile)] : [path],
    target: { store },
    load: { stores: [store] },
  };
}

/** An env record filled from the store only: neither read from nor written to `process.env`. */
export type PrivateEnv = Record<string, string | undefined>;

/** Loads every variable of `store` into a fresh record (so the shell's variables do not mix in). */
export async function loadPrivateEnv(store: SelectedStore): Promise<PrivateEnv> {
  const target: PrivateEnv = {};
  await loadApiKeys({ ...store.load, target });
  return target;
}

/** One exchange + profile found in an env record. */
export interface ConfiguredPair {
  /** Lowercase exchange id. */
  exchange: string;
  /** Uppercase profile or `default`. */
  profile: string;
}

/**
 * The exchange/profile pairs with at least one credential variable in `env`, sorted; restricted to
 * `exchanges` when given (which are normalised, so a bad id is a usage error).
 */
export function configuredPairs(
  env: PrivateEnv,
  exchanges: readonly string[] = [],
): ConfiguredPair[] {
  const wanted = new Set(exchanges.map((exchange) => normalizeExchange(exchange)));
  const pairs = new Map<string, ConfiguredPair>();
  for (const [name, value] of Object.entries(env)) {
    const parsed = parseVariableName(name);
    if (!parsed || value === undefined) continue;
    if (wanted.size > 0 && !wanted.has(parsed.exchange)) continue;
    pairs.set(`${parsed.exchange}/${parsed.profile}`, {
      exchange: parsed.exchange,
      profile: parsed.profile,
    });
  }
  return [...pairs.values()].sort(
    (a, b) => a.exchange.localeCompare(b.exchange) || a.profile.localeCompare(b.profile),
  );
}

/** `--profile` as the core spells it (`default` or uppercase). */
export function profileOf(options: StoreOptions): string {
  return normalizeProfile(options.profile);
}

/**
 * Like {@link configuredPairs}, but an exchange named in `exchanges` that has nothing configured is
 * still returned (default profile), so the command reports it as missing instead of skipping it.
 */
export function requestedPairs(env: PrivateEnv, exchanges: readonly string[]): ConfiguredPair[] {
  const pairs = configuredPairs(env, exchanges);
  for (const exchange of exchanges) {
    const id = normalizeExchange(exchange);
    if (!pairs.some((pair) => pair.exchange === id))
      pairs.push({ exchange: id, profile: 'default' });
  }
  return pairs;
}
