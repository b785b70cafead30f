/**
 * Keeps a ccxt client's credentials and its record of the last request and response out of every
 * printed form: `util.inspect` (with or without `showHidden`), `JSON.stringify`, spread and
 * `Object.entries`. ccxt still reads and writes all of them as before. `updateClientCredentials`
 * swaps the credentials of a sealed client in place.
 * @module
 */
import { CredentialsError } from '../errors.js';
import { maskKey, REDACTED, redactText } from '../redact.js';
import { assertCredentialsFor, type ValidatedCredentials } from '../validated-credentials.js';

// What ccxt keeps after each request (base/Exchange.js): headers carry the key (and OKX's
// passphrase), Binance signs in the URL, and error bodies may echo the signed text.
const LAST_FIELDS = [
  'last_http_response',
  'last_json_response',
  'last_response_headers',
  'last_request_headers',
  'last_request_body',
  'last_request_url',
  'last_request_path',
] as const;

const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

/** A deep copy of `value` with every string passed through `redactText`. */
function redactValue(
  value: unknown,
  secrets: ReadonlyArray<string | undefined>,
  depth = 0,
): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value))
    out[name] = redactValue(item, secrets, depth + 1);
  return out;
}

/** What a sealed client holds: its exchange, its credentials and the secrets to redact. */
interface SealedState {
  id: string;
  creds: ValidatedCredentials;
  // What ccxt reads as `apiKey`, `secret` and `password`.
  fields: Record<CredentialField, unknown>;
  // The current and the previous credentials: a `last_*` record may still hold the old ones.
  secrets: string[];
  // Values the exchange receives in place of a credential (see `ExchangeSpec.derivedSecrets`).
  derive: DeriveSecrets | undefined;
}

/** Computes the values an exchange receives in place of a credential, e.g. a signed passphrase. */
export type DeriveSecrets = (creds: ValidatedCredentials) => readonly string[];

const CREDENTIAL_FIELDS = ['apiKey', 'secret', 'password'] as const;
type CredentialField = (typeof CREDENTIAL_FIELDS)[number];

const sealed = new WeakMap<object, SealedState>();

function install(state: SealedState, creds: ValidatedCredentials): void {
  const previous = state.creds;
  state.creds = creds;
  state.fields.apiKey = creds.apiKey;
  state.fields.secret = creds.apiSecret;
  if (creds.passphrase !== undefined) state.fields.password = creds.passphrase;
  const all = [creds, previous].flatMap((c) => [
    c.apiSecret,
    c.passphrase,
    c.apiKey,
    ...(state.derive?.(c) ?? []),
  ]);
  state.secrets = [...new Set(all.filter((secret): secret is string => Boolean(secret)))];
}

/**
 * The secrets every printed form of `client` must redact: those of its current and of its previous
 * credentials. Empty for a client `sealClient` did not seal.
 */
export function sealedSecrets(client: object): readonly string[] {
  return sealed.get(client)?.secrets ?? [];
}

/**
 * Installs `creds` on `client` as ccxt expects (`apiKey`, `secret`, `password`) without making them
 * printable, and turns ccxt's `last_*` request records into non-enumerable accessors that read back
 * redacted. The client prints as `ccxt.<id> client (key ABCDEF…)`; `toJSON` gives the same summary.
 * `derive` names values computed from the credentials that are redacted as well.
 */
export function sealClient(
  client: object,
  id: string,
  creds: ValidatedCredentials,
  derive?: DeriveSecrets,
): void {
  const state: SealedState = {
    id,
    creds,
    fields: {} as SealedState['fields'],
    secrets: [],
    derive,
  };
  install(state, creds);
  sealed.set(client, state);
  for (const name of CREDENTIAL_FIELDS) {
    if (name === 'password' && creds.passphrase === undefined)
      state.fields.password = (client as Record<string, unknown>).password;
    Object.defineProperty(client, name, {
      get: () => state.fields[name],
      set: (next: unknown) => {
        state.fields[name] = next;
      },
      enumerable: false,
      configurable: true,
    });
  }
  for (const name of LAST_FIELDS) {
    let raw: unknown = (client as Record<string, unknown>)[name];
    Object.defineProperty(client, name, {
      get: () => redactValue(raw, state.secrets),
      set: (next: unknown) => {
        raw = next;
      },
      enumerable: false,
      configurable: true,
    });
  }
  const summary = () => `ccxt.${id} client (key ${maskKey(state.creds.apiKey)})`;
  Object.defineProperty(client, inspectCustom, { value: summary, enumerable: false });
  Object.defineProperty(client, 'toJSON', {
    value: () => ({ exchange: id, apiKey: maskKey(state.creds.apiKey), secret: REDACTED }),
    enumerable: false,
  });
}

/**
 * Swaps the credentials of a live client built by an exkeys factory. The next request is signed
 * with `creds`; requests already sent keep the key they were signed with (ccxt signs synchronously
 * before sending). Markets, options and the base URL stay as they are. The redaction of `inspect`,
 * `JSON`, the `last_*` records and the `verbose` log covers the new secrets and, until the next swap,
 * the old ones.
 * @throws {CredentialsError} `not-validated` for credentials not made by `getCredentials` or a
 *   client no exkeys factory built, `wrong-exchange` for credentials of another exchange.
 */
export function updateClientCredentials(client: object, creds: ValidatedCredentials): void {
  const state = typeof client === 'object' && client !== null ? sealed.get(client) : undefined;
  if (state === undefined) {
    throw new CredentialsError(
      'not-validated',
      'Cannot update the credentials of this client: it was not built by an exkeys factory. Build it with the create…Client of its exchange package (createBybitClient, createKucoinClient, …).',
    );
  }
  assertCredentialsFor(creds, state.id);
  install(state, creds);
}
