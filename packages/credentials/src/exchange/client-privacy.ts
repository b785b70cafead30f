/**
 * Keeps a ccxt client's credentials and its record of the last request and response out of every
 * printed form: `util.inspect` (with or without `showHidden`), `JSON.stringify`, spread and
 * `Object.entries`. ccxt still reads and writes all of them as before.
 * @module
 */
import { maskKey, REDACTED, redactText } from '../redact.js';
import type { ValidatedCredentials } from '../validated-credentials.js';

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

/**
 * Installs `creds` on `client` as ccxt expects (`apiKey`, `secret`, `password`) without making them
 * printable, and turns ccxt's `last_*` request records into non-enumerable accessors that read back
 * redacted. The client prints as `ccxt.<id> client (key ABCDEF…)`; `toJSON` gives the same summary.
 */
export function sealClient(client: object, id: string, creds: ValidatedCredentials): void {
  const secrets = [creds.apiSecret, creds.passphrase, creds.apiKey];
  const fields: Array<[string, string | undefined]> = [
    ['apiKey', creds.apiKey],
    ['secret', creds.apiSecret],
    ['password', creds.passphrase],
  ];
  for (const [name, initial] of fields) {
    if (initial === undefined) continue;
    let value = initial;
    Object.defineProperty(client, name, {
      get: () => value,
      set: (next: string) => {
        value = next;
      },
      enumerable: false,
      configurable: true,
    });
  }
  for (const name of LAST_FIELDS) {
    let raw: unknown = (client as Record<string, unknown>)[name];
    Object.defineProperty(client, name, {
      get: () => redactValue(raw, secrets),
      set: (next: unknown) => {
        raw = next;
      },
      enumerable: false,
      configurable: true,
    });
  }
  const summary = () => `ccxt.${id} client (key ${maskKey(creds.apiKey)})`;
  Object.defineProperty(client, inspectCustom, { value: summary, enumerable: false });
  Object.defineProperty(client, 'toJSON', {
    value: () => ({ exchange: id, apiKey: maskKey(creds.apiKey), secret: REDACTED }),
    enumerable: false,
  });
}
