/**
 * `ValidatedCredentials`: the only shape an exchange factory accepts. Only `getCredentials` creates
 * one. However it is printed it shows the exchange, the profile and a 6-character key preview, never
 * the secret or passphrase; the fields stay readable in code.
 * @module
 */
import { CredentialsError } from './errors.js';
import { maskKey, REDACTED } from './redact.js';

declare const validated: unique symbol;

/**
 * Credentials that passed `validateCredentials`. The brand makes any other object literal a
 * compile-time error where this type is expected, and `E` ties them to one exchange.
 */
export interface ValidatedCredentials<E extends string = string> {
  /** Lowercase exchange id, e.g. `bybit`. */
  readonly exchange: E;
  /** Uppercase profile name, or `default`. */
  readonly profile: string;
  /** The API key. */
  readonly apiKey: string;
  /** The API secret (an HMAC secret or a PEM private key). */
  readonly apiSecret: string;
  /** The passphrase, for exchanges that need one (OKX). */
  readonly passphrase?: string;
  /** Type-level brand: only `getCredentials` can produce this type. */
  readonly [validated]: E;
}

/** What `sealCredentials` needs. */
export interface CredentialFields {
  exchange: string;
  profile: string;
  apiKey: string;
  apiSecret: string;
  passphrase?: string | undefined;
}

// One registry per process, shared by every installed copy of this package.
const REGISTRY = Symbol.for('exkeys.validated-credentials');
const globalRegistry = globalThis as unknown as Record<symbol, WeakSet<object> | undefined>;
globalRegistry[REGISTRY] ??= new WeakSet();
const sealed: WeakSet<object> = globalRegistry[REGISTRY];
const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

class SealedCredentials {
  readonly exchange: string;
  readonly profile: string;
  readonly #apiKey: string;
  readonly #apiSecret: string;
  readonly #passphrase: string | undefined;

  constructor(fields: CredentialFields) {
    this.exchange = fields.exchange;
    this.profile = fields.profile;
    this.#apiKey = fields.apiKey;
    this.#apiSecret = fields.apiSecret;
    this.#passphrase = fields.passphrase || undefined;
    Object.freeze(this);
  }

  get apiKey(): string {
    return this.#apiKey;
  }

  get apiSecret(): string {
    return this.#apiSecret;
  }

  get passphrase(): string | undefined {
    return this.#passphrase;
  }

  toJSON(): Record<string, string> {
    const out: Record<string, string> = {
      exchange: this.exchange,
      profile: this.profile,
      apiKey: maskKey(this.#apiKey),
      apiSecret: REDACTED,
    };
    if (this.#passphrase !== undefined) out.passphrase = REDACTED;
    return out;
  }

  toString(): string {
    return `ValidatedCredentials(${this.exchange}/${this.profile}, key ${maskKey(this.#apiKey)})`;
  }

  [Symbol.toPrimitive](): string {
    return this.toString();
  }

  [inspectCustom](): string {
    return this.toString();
  }
}

/**
 * Wraps checked fields as `ValidatedCredentials`. Internal: called by `getCredentials` after
 * validation; not exported from the package entry.
 */
export function sealCredentials<E extends string>(
  fields: CredentialFields,
): ValidatedCredentials<E> {
  const creds = new SealedCredentials(fields);
  sealed.add(creds);
  return creds as unknown as ValidatedCredentials<E>;
}

/** True when `value` was produced by `getCredentials` (in any installed copy of exkeys). */
export function isValidatedCredentials(value: unknown): value is ValidatedCredentials {
  return typeof value === 'object' && value !== null && sealed.has(value);
}

/**
 * Runtime guard for exchange packages: `creds` must come from `getCredentials` and belong to
 * `exchange`.
 * @throws {CredentialsError} `not-validated` or `wrong-exchange`.
 */
export function assertCredentialsFor<E extends string>(
  creds: unknown,
  exchange: E,
): asserts creds is ValidatedCredentials<E> {
  if (!isValidatedCredentials(creds)) {
    throw new CredentialsError(
      'not-validated',
      `The ${exchange} client needs credentials from getCredentials('${exchange}'). Load, validate and retrieve them with @exkeys/credentials instead of passing a plain object.`,
    );
  }
  if (creds.exchange !== exchange) {
    throw new CredentialsError(
      'wrong-exchange',
      `These credentials are for ${creds.exchange}, not ${exchange}. Call getCredentials('${exchange}') for the ${exchange} client.`,
    );
  }
}
