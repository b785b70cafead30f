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

interface Secrets {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly passphrase: string | undefined;
}

// The secret fields live in this map, keyed by the credentials object, never on it.
const secretsOf = new WeakMap<object, Secrets>();

function describe(creds: object): string {
  const own = creds as { exchange: string; profile: string };
  return `ValidatedCredentials(${own.exchange}/${own.profile}, key ${maskKey(secretsOf.get(creds)?.apiKey)})`;
}

const methods: Record<PropertyKey, unknown> = {
  toJSON(this: object): Record<string, string> {
    const own = this as { exchange: string; profile: string };
    const secrets = secretsOf.get(this);
    const out: Record<string, string> = {
      exchange: own.exchange,
      profile: own.profile,
      apiKey: maskKey(secrets?.apiKey),
      apiSecret: REDACTED,
    };
    if (secrets?.passphrase !== undefined) out.passphrase = REDACTED;
    return out;
  },
  toString(this: object): string {
    return describe(this);
  },
  [Symbol.toPrimitive](this: object): string {
    return describe(this);
  },
  [inspectCustom](this: object): string {
    return describe(this);
  },
};
const SECRET_FIELDS = new Set<PropertyKey>(['apiKey', 'apiSecret', 'passphrase']);

/** Names the prototype for `util.inspect` without exposing anything on it. */
function ValidatedCredentials(): void {}

/**
 * The prototype of every sealed object: a proxy with no own keys and no property descriptors, so no
 * printer can find, let alone call, an accessor (`util.inspect` with `showHidden` and `getters`
 * walks prototypes). Reading `creds.apiSecret` still works: the `get` trap answers it.
 */
const hiddenPrototype: object = new Proxy(Object.create(ValidatedCredentials.prototype) as object, {
  get(_target, property, receiver: object) {
    if (SECRET_FIELDS.has(property)) {
      const secrets = secretsOf.get(receiver);
      return secrets?.[property as keyof Secrets];
    }
    return Object.hasOwn(methods, property) ? methods[property] : undefined;
  },
  has: (_target, property) => SECRET_FIELDS.has(property) || Object.hasOwn(methods, property),
  ownKeys: () => [],
  getOwnPropertyDescriptor: () => undefined,
  defineProperty: () => false,
  set: () => false,
  deleteProperty: () => false,
  setPrototypeOf: () => false,
});

/**
 * Wraps checked fields as `ValidatedCredentials`. Internal: called by `getCredentials` after
 * validation; not exported from the package entry.
 */
export function sealCredentials<E extends string>(
  fields: CredentialFields,
): ValidatedCredentials<E> {
  // Own data properties are defined, not assigned: assignment would reach the proxy's `set` trap.
  const creds = Object.create(hiddenPrototype, {
    exchange: { value: fields.exchange, enumerable: true },
    profile: { value: fields.profile, enumerable: true },
  }) as object;
  secretsOf.set(creds, {
    apiKey: fields.apiKey,
    apiSecret: fields.apiSecret,
    passphrase: fields.passphrase || undefined,
  });
  Object.freeze(creds);
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
