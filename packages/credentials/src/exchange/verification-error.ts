/**
 * Turns whatever a failed key-information call threw into a `KeyVerificationError` with a reason to
 * switch on, the exchange's own code, and a message that says what to do. The engine is shared; each
 * exchange package supplies its error table.
 * @module
 */
import { KeyVerificationError, type KeyVerificationReason } from '../errors.js';
import { variableNames } from '../names.js';
import { redactText } from '../redact.js';
import type { ValidatedCredentials } from '../validated-credentials.js';
import type { ErrorTable } from './exchange-spec.js';

/** What the engine needs to know about the failed call. */
export interface FailedCall {
  /** Exchange id, e.g. `bybit`. */
  exchange: string;
  /** Display name, e.g. `Bybit`. */
  name: string;
  /** The exchange's error table. */
  errors: ErrorTable;
  /** The credentials used: for variable names in messages and for redaction. */
  creds: ValidatedCredentials;
  /** The parsed body of the last response, when there was one. */
  body: unknown;
  /** The headers of the last response (ccxt's `last_response_headers`), when there were any. */
  headers?: unknown;
  /** The exchange's own reading of rate-limit headers; see `ExchangeSpec.retryAfter`. */
  retryAfter?: (headers: Readonly<Record<string, string>>, now: number) => number | undefined;
  /** The origin the call went to, for network messages. */
  origin: string;
  /** See `ExchangeSpec.authenticationHint`. */
  authenticationHint?: string | undefined;
}

// ccxt error class names (the class and its ancestors) that mean the request never got an answer.
const NETWORK_ERRORS = new Set([
  'NetworkError',
  'RequestTimeout',
  'ExchangeNotAvailable',
  'OnMaintenance',
]);
const AUTH_ERRORS = new Set(['AuthenticationError', 'PermissionDenied']);
// ccxt's classes for HTTP 429 / 418 and exchange rate-limit codes (RateLimitExceeded extends DDoSProtection).
const RATE_LIMIT_ERRORS = new Set(['RateLimitExceeded', 'DDoSProtection']);

/**
 * Maps `error` (thrown by a ccxt call) to a `KeyVerificationError`, or returns `undefined` when it is
 * not about the key or the connection (the caller rethrows it, redacted).
 */
export function toVerificationError(
  error: unknown,
  call: FailedCall,
): KeyVerificationError | undefined {
  const code = exchangeCode(call.body);
  const entry = code === undefined ? undefined : call.errors[code];
  const classes = errorClasses(error);
  let reason: KeyVerificationReason | undefined;
  let hint: string | undefined;
  let lead: string | undefined;
  if (entry !== undefined) {
    reason = typeof entry === 'string' ? entry : entry.reason;
    hint = typeof entry === 'string' ? undefined : entry.hint;
    lead = typeof entry === 'string' ? undefined : entry.lead;
  } else if (classes.includes('InvalidNonce')) {
    reason = 'clock-skew';
  } else if (classes.some((name) => RATE_LIMIT_ERRORS.has(name))) {
    reason = 'rate-limited';
  } else if (classes.some((name) => AUTH_ERRORS.has(name))) {
    reason = 'invalid-key';
    hint = call.authenticationHint;
  } else if (classes.some((name) => NETWORK_ERRORS.has(name))) {
    reason = 'network';
  }
  if (reason === undefined) return undefined;
  const said = code === undefined ? '' : ` (error ${code})`;
  const retryAfterMs = reason === 'rate-limited' ? retryAfterOf(call) : undefined;
  const wait =
    retryAfterMs === undefined
      ? ''
      : ` ${call.name} asks to wait ${Math.ceil(retryAfterMs / 1000)} s.`;
  const refused = reason === 'rate-limited' ? 'rate-limited the request' : 'refused the key';
  const first = lead === undefined ? '' : `${lead} `;
  const message = [`${call.name} ${refused}${said}: ${first}${advice(reason, call)}${wait}`, hint]
    .filter(Boolean)
    .join(' ');
  return new KeyVerificationError(
    call.exchange,
    reason,
    reason === 'network' ? networkMessage(call) : message,
    {
      exchangeCode: code,
      cause: redactError(error, call.creds),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    },
  );
}

/** The wait a rate-limited answer asks for: the exchange's own headers, else `Retry-After`. */
function retryAfterOf(call: FailedCall): number | undefined {
  const headers: Record<string, string> = {};
  if (typeof call.headers === 'object' && call.headers !== null) {
    for (const [name, value] of Object.entries(call.headers)) {
      if (typeof value === 'string' || typeof value === 'number') {
        headers[name.toLowerCase()] = String(value);
      }
    }
  }
  const now = Date.now();
  const own = call.retryAfter?.(headers, now);
  if (own !== undefined && Number.isFinite(own) && own >= 0) return Math.round(own);
  const header = headers['retry-after'];
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function advice(reason: KeyVerificationReason, call: FailedCall): string {
  const vars = variableNames(call.creds.exchange, call.creds.profile);
  switch (reason) {
    case 'invalid-key':
      return `the API key is unknown, deleted or revoked. Check that ${vars.key} holds the whole key; otherwise revoke it and generate a new key.`;
    case 'bad-signature':
      return `the signature does not match, so ${vars.secret} is not the secret of this key. Re-copy it, or revoke the key and generate a new one.`;
    case 'wrong-passphrase':
      return `the passphrase is wrong. Re-check ${vars.passphrase}: it is the passphrase chosen when the key was created, not the account password.`;
    case 'ip-not-allowed':
      return "this machine's IP address is not on the key's whitelist. Add this IP to the whitelist in the exchange's API management page.";
    case 'expired':
      return 'the key has expired. Generate a new key (keys bound to an IP whitelist do not expire) and store it with updateApiKey.';
    case 'clock-skew':
      return "the request timestamp is outside the exchange's window: this machine's clock is off. Sync the clock (NTP, e.g. `timedatectl set-ntp true`).";
    case 'permission-denied':
      return `the key lacks the permission this call needs. Check the key's permissions in the exchange's API management page; exkeys needs it to read the key's own information.`;
    case 'region-restricted':
      return "the exchange does not serve this region or domain for this key. Use the exchange's domain for your region (for OKX, the region option), or a key of an account allowed here.";
    case 'wrong-environment':
      return `the key belongs to another environment (live, testnet or demo). Use the key with the environment it was created in: demo and testnet keys need the demo/testnet option, live keys must not set it.`;
    case 'rate-limited':
      return 'too many requests from this IP or key. Wait, then retry; lower the request rate of bots sharing this key or IP.';
    case 'unreadable-response':
      return "the exchange's answer could not be read, so the key was not audited. Retry later.";
    case 'network':
      return networkMessage(call);
  }
}

function networkMessage(call: FailedCall): string {
  return `Could not reach ${call.name} at ${call.origin}. Check the network connection, proxies and firewall, and the baseUrl/testnet/demo options.`;
}

/**
 * Bybit answers `retCode`, Binance and OKX `code` (`0` means success); Kraken a list of error
 * strings, `{"error":["EAPI:Invalid key"]}`, whose first entry is the code.
 */
function exchangeCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as { retCode?: unknown; code?: unknown; error?: unknown };
  if (Array.isArray(record.error) && record.retCode === undefined && record.code === undefined) {
    const [first] = record.error as unknown[];
    return typeof first === 'string' && first !== '' ? first : undefined;
  }
  const code = record.retCode ?? record.code;
  if (typeof code !== 'string' && typeof code !== 'number') return undefined;
  return String(code) === '0' ? undefined : String(code);
}

/** The names of the error's class and its ancestors, e.g. `['InvalidNonce', 'NetworkError', ...]`. */
function errorClasses(error: unknown): string[] {
  const names: string[] = [];
  let proto: unknown =
    typeof error === 'object' && error !== null ? Object.getPrototypeOf(error) : null;
  while (proto !== null && proto !== Object.prototype) {
    const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor?.name === 'string') names.push(ctor.name);
    proto = Object.getPrototypeOf(proto);
  }
  return names;
}

/**
 * A copy of `error` safe to attach as a cause or rethrow: same class name and prototype, message and
 * stack passed through `redactText`.
 */
export function redactError(error: unknown, creds: ValidatedCredentials): Error {
  const secrets = [creds.apiSecret, creds.passphrase, creds.apiKey];
  if (!(error instanceof Error)) return new Error(redactText(String(error), secrets));
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  Object.defineProperties(copy, {
    name: { value: error.name, writable: true, configurable: true },
    message: { value: redactText(error.message, secrets), writable: true, configurable: true },
    stack: { value: redactText(error.stack ?? '', secrets), writable: true, configurable: true },
  });
  return copy;
}
