/**
 * Step 3: retrieval. The getters return raw strings; `getCredentials` validates first and returns
 * `ValidatedCredentials`, the only input the exchange packages accept.
 * @module
 */
import { CredentialsError } from './errors.js';
import { variableNames } from './names.js';
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
