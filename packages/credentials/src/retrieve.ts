/**
 * Step 3: retrieval. The getters return raw strings; `getCredentials` validates first and returns
 * `ValidatedCredentials`, the only input the exchange packages accept.
 * @module
 */
import { CredentialsError } from './errors.js';
import { isAdminProfile, normalizeProfile, variableNames } from './names.js';
import { type ReadOptions, validateCredentials } from './validate.js';
import { sealCredentials, type ValidatedCredentials } from './validated-credentials.js';

/** The API key of `exchange`, or `''` when unset. Prefer {@link getCredentials}, which validates. */
export function getApiKey(exchange: string, options: ReadOptions = {}): string {
  return read(exchange, 'key', options);
}

/** The API secret of `exchange`, or `''` when unset. Prefer {@link getCredentials}, which validates. */
export function getApiSecret(exchange: string, options: ReadOptions = {}): string {
  return read(exchange, 'secret', options);
}

/** The API passphrase of `exchange` (OKX), or `''` when unset. */
export function getApiPassphrase(exchange: string, options: ReadOptions = {}): string {
  return read(exchange, 'passphrase', options);
}

function read(
  exchange: string,
  field: 'key' | 'secret' | 'passphrase',
  options: ReadOptions,
): string {
  const env = options.env ?? process.env;
  return env[variableNames(exchange, options.profile)[field]] ?? '';
}

/**
 * Validates, then returns `ValidatedCredentials` for `exchange`.
 * @throws {CredentialsError} `invalid-credentials`, listing every problem by variable name (never by
 * value), with what to set.
 */
export function getCredentials<E extends string>(
  exchange: E,
  options: ReadOptions = {},
): ValidatedCredentials<Lowercase<E>> {
  assertAdminChoice(exchange, options);
  const result = validateCredentials(exchange, options);
  if (!result.valid) {
    const lines = result.errors.map((issue) => `  - ${issue.message}`);
    throw new CredentialsError(
      'invalid-credentials',
      `Cannot use the ${result.exchange} credentials (profile ${result.profile}):\n${lines.join('\n')}`,
      { issues: result.errors },
    );
  }
  const env = options.env ?? process.env;
  const names = variableNames(result.exchange, result.profile);
  return sealCredentials<Lowercase<E>>({
    exchange: result.exchange,
    profile: result.profile,
    apiKey: env[names.key] ?? '',
    apiSecret: env[names.secret] ?? '',
    passphrase: env[names.passphrase] || undefined,
  });
}

/** Refuses an admin profile unless asked for as admin, and asking as admin for a bot profile. */
function assertAdminChoice(exchange: string, options: ReadOptions): void {
  const admin = isAdminProfile(options.profile);
  if (admin === (options.admin === true)) return;
  const profile = normalizeProfile(options.profile);
  throw new CredentialsError(
    'admin-profile',
    admin
      ? `The ${exchange} profile ${profile} is an admin profile: it holds a master key that can manage sub-account keys, and a bot never loads it. Give the bot its own profile (e.g. \`exkeys set ${exchange} --profile BOT\`); only key rotation reads ${profile}, with getCredentials(exchange, { profile, admin: true }).`
      : `admin: true asks for an admin profile, but ${profile} is not one. Admin profiles are named ADMIN or start with ADMIN (e.g. ADMIN2).`,
  );
}
