/**
 * Variable naming: `{EXCHANGE}_API_KEY`, `{EXCHANGE}_API_SECRET`, `{EXCHANGE}_API_PASSPHRASE`, and
 * `{EXCHANGE}_{PROFILE}_API_*` for named profiles (one dedicated key per bot).
 * @module
 */

import { CredentialsError } from './errors.js';
import { exchangeFacts, OTHER_PASSPHRASE_EXCHANGES } from './exchanges.js';
import { describeInput } from './redact.js';

/** The profile that uses the plain variable names. */
export const DEFAULT_PROFILE = 'default';

/** The three variable names of one exchange + profile. */
export interface CredentialVariables {
  /** e.g. `BYBIT_API_KEY` or `BYBIT_GRID_API_KEY`. */
  key: string;
  /** e.g. `BYBIT_API_SECRET`. */
  secret: string;
  /** e.g. `OKX_API_PASSPHRASE`. Present for every exchange; only required where {@link needsPassphrase}. */
  passphrase: string;
}

/**
 * Normalises an exchange id: case-insensitive, `[a-z0-9]+` as in ccxt. Returns it in lowercase.
 * @throws {CredentialsError} `invalid-exchange` when the id has other characters.
 */
export function normalizeExchange(exchange: string): string {
  const id = typeof exchange === 'string' ? exchange.trim().toLowerCase() : '';
  // ccxt ids are short; a long value is more likely a key pasted into the wrong place.
  if (!/^[a-z0-9]{1,24}$/.test(id)) {
    throw new CredentialsError(
      'invalid-exchange',
      `Invalid exchange id ${describeInput(exchange)}. Use a ccxt id made of letters and digits, such as "bybit", "binance" or "okx".`,
    );
  }
  return id;
}

/**
 * Normalises a profile name to uppercase `[A-Z0-9]+`. `undefined`, `''` and `default` mean the default
 * profile, which uses the plain variable names.
 * @throws {CredentialsError} `invalid-profile` when the name has other characters.
 */
export function normalizeProfile(profile: string | undefined): string {
  if (profile === undefined || profile === '' || profile.toLowerCase() === DEFAULT_PROFILE) {
    return DEFAULT_PROFILE;
  }
  const name = profile.toUpperCase();
  if (!/^[A-Z0-9]+$/.test(name)) {
    throw new CredentialsError(
      'invalid-profile',
      `Invalid profile ${describeInput(profile)}. Use letters and digits only, such as "GRID" or "BOT2".`,
    );
  }
  return name;
}

/**
 * Admin profiles hold a master-account key that may manage sub-account keys (`rotateKey`): the
 * profile `ADMIN`, or one starting with `ADMIN` (`ADMIN2`, `ADMINOKX`). Profile names allow only
 * letters and digits, so a prefix is the one marker that fits every store and variable name.
 */
export const ADMIN_PROFILE = 'ADMIN';

/** True for an admin profile (see {@link ADMIN_PROFILE}); the bot never loads one. */
export function isAdminProfile(profile: string | undefined): boolean {
  return profile?.toUpperCase().startsWith(ADMIN_PROFILE) === true;
}

/**
 * True when the exchange's keys need a passphrase: OKX and the others marked so in the exchange
 * table, plus KuCoin and Bitget.
 */
export function needsPassphrase(exchange: string): boolean {
  const facts = exchangeFacts(exchange);
  return facts?.needsPassphrase ?? OTHER_PASSPHRASE_EXCHANGES.has(exchange.toLowerCase());
}

/** The variable names for an exchange and profile. Both are normalised first. */
export function variableNames(exchange: string, profile?: string): CredentialVariables {
  const ex = normalizeExchange(exchange).toUpperCase();
  const prof = normalizeProfile(profile);
  const prefix = prof === DEFAULT_PROFILE ? `${ex}_API_` : `${ex}_${prof}_API_`;
  return { key: `${prefix}KEY`, secret: `${prefix}SECRET`, passphrase: `${prefix}PASSPHRASE` };
}

/** One exchange + profile recognised from a variable name. */
export interface ParsedVariable {
  /** Lowercase exchange id. */
  exchange: string;
  /** Uppercase profile, or `default`. */
  profile: string;
  /** Which of the three fields the variable holds. */
  field: 'key' | 'secret' | 'passphrase';
}

const VARIABLE = /^([A-Z0-9]+)(?:_([A-Z0-9]+))?_API_(KEY|SECRET|PASSPHRASE)$/;

/** Recognises `BYBIT_API_KEY`, `OKX_BOT2_API_PASSPHRASE` and so on; `undefined` for other names. */
export function parseVariableName(name: string): ParsedVariable | undefined {
  const match = VARIABLE.exec(name);
  if (!match) return undefined;
  const [, exchange = '', profile, field = 'KEY'] = match;
  return {
    exchange: exchange.toLowerCase(),
    profile: profile ?? DEFAULT_PROFILE,
    field: field.toLowerCase() as ParsedVariable['field'],
  };
}

/** The suffix of a variable that names a file holding a credential (Docker/Kubernetes secrets). */
export const SECRET_FILE_SUFFIX = '_FILE';

/**
 * Recognises a credential variable or its `_FILE` form (`OKX_API_SECRET_FILE`): the parsed
 * variable, with `file: true` for the `_FILE` form; `undefined` for other names (`LOG_FILE`).
 */
export function parseCredentialReference(
  name: string,
): (ParsedVariable & { file: boolean }) | undefined {
  const plain = parseVariableName(name);
  if (plain !== undefined) return { ...plain, file: false };
  if (!name.endsWith(SECRET_FILE_SUFFIX)) return undefined;
  const named = parseVariableName(name.slice(0, -SECRET_FILE_SUFFIX.length));
  return named === undefined ? undefined : { ...named, file: true };
}
