import { randomBytes } from 'node:crypto';

/** The exchanges the sandbox imitates. */
export type SandboxExchange = 'bybit' | 'binance' | 'okx' | 'coinbase' | 'kucoin' | 'kraken';

/**
 * The environment a key belongs to. A real exchange keeps live, testnet and demo keys apart: a key
 * used against another environment gets the exchange's own refusal (Bybit `10003`, OKX `50101`).
 */
export type SandboxEnvironment = 'live' | 'testnet' | 'demo';

/**
 * An answer the sandbox gives to every signed request of a key, to test how clients handle it:
 * the exchange's rate-limit answer, its IP-ban answer (Bybit HTTP 403 "access too frequent",
 * Binance HTTP 418; OKX and KuCoin have none and answer as rate-limited), or its permission-denied
 * answer.
 */
export type SandboxKeyFailure = 'rate-limited' | 'ip-banned' | 'permission-denied';

/** What a key may do. Unset flags take the defaults of a fresh trading key. */
export interface SandboxKeyPermissions {
  /** Read balances, orders and key information. @default true */
  read?: boolean;
  /** Place and cancel orders. @default true */
  trade?: boolean;
  /** Withdraw funds (the sandbox only reports it; it has no withdraw endpoint). @default false */
  withdraw?: boolean;
}

/** One API key the sandbox accepts, with the restrictions a real exchange would attach to it. */
export interface SandboxKey {
  /** Which exchange's endpoints accept this key. */
  exchange: SandboxExchange;
  /** The public key id sent in the exchange's key header. */
  apiKey: string;
  /**
   * The HMAC secret, or a PEM private key (Ed25519 or RSA) for Binance and Bybit, which the
   * sandbox turns into the public key it verifies with. For Coinbase, the CDP secret: a PEM EC
   * P-256 private key or a base64 Ed25519 key of 64 bytes (see `cdpKeySecret`).
   */
  apiSecret: string;
  /**
   * A PEM public key (SPKI) instead of `apiSecret` (then `''`), for self-generated Ed25519 (Binance) and RSA
   * (Bybit) keys: the sandbox verifies signatures with it and never knows the private key.
   */
  publicKey?: string;
  /**
   * The sub-account the key belongs to (Bybit sub UID, OKX `subAcct` name, Binance sub-account
   * email); unset for a key of the master account. Only master keys may manage sub-account keys.
   */
  subAccount?: string;
  /** The key's label (Bybit `note`, OKX `label`). @default 'exkeys sandbox key' */
  label?: string;
  /** The passphrase; required for OKX and KuCoin keys, ignored elsewhere. */
  passphrase?: string;
  /** What the key may do. @default { read: true, trade: true, withdraw: false } */
  permissions?: SandboxKeyPermissions;
  /**
   * The IP whitelist. Empty or unset means unrestricted. Requests to the sandbox come from
   * `127.0.0.1`, so a list without it makes every request fail the way the exchange fails it.
   * @default []
   */
  ips?: string[];
  /** When the key expires (ISO 8601); `null` or unset never expires. @default null */
  expiresAt?: string | null;
  /** The environment the key was created in. @default 'live' */
  environment?: SandboxEnvironment;
  /**
   * The permissions exactly as the exchange reports them, for audit tests: Bybit's `permissions`
   * object (`{ Spot: ['SpotTrade'], FiatP2P: ['FiatP2POrder'] }`), Binance's
   * `apiRestrictions` flags (`{ enableFixApiTrade: true }`), OKX's `perm` string
   * (`'read_only,trade'`), Coinbase's key-permission flags (`{ can_view: true, can_trade: true,
   * can_transfer: false }`), KuCoin's `permission` string (`'General,Spot'`), or Kraken's
   * `permissions` list (`['query-funds', 'modify-trades']`: `query-funds` reads balances,
   * `modify-trades` places and cancels orders). When set, the key-information answer reports
   * these instead of
   * `permissions`, and the key may do what they grant.
   */
  nativePermissions?:
    | Readonly<Record<string, readonly string[]>>
    | Readonly<Record<string, boolean>>
    | string
    | readonly string[];
  /**
   * A raw JSON body to answer the key-information call with (after authentication), for feeding
   * the audit malformed or unknown shapes through a real HTTP round trip.
   */
  keyInfoBody?: unknown;
  /** Answer every signed request of this key with this failure, as the exchange sends it. */
  failWith?: SandboxKeyFailure;
}

/** A key with every default filled in. */
export interface ResolvedKey {
  readonly exchange: SandboxExchange;
  readonly apiKey: string;
  /** The HMAC secret or PEM private key, `''` for a public-key-only key. */
  readonly apiSecret: string;
  /** The PEM key signatures are verified with: `publicKey`, or `apiSecret` when it is a PEM key. */
  readonly verifyPem: string | null;
  readonly subAccount: string | null;
  readonly label: string;
  readonly passphrase: string;
  readonly read: boolean;
  readonly trade: boolean;
  readonly withdraw: boolean;
  readonly ips: readonly string[];
  readonly expiresAt: number | null;
  readonly environment: SandboxEnvironment;
  readonly nativePermissions: SandboxKey['nativePermissions'];
  /** `undefined` when unset; the key-information answer is then built from the key. */
  readonly keyInfoBody: unknown;
  readonly failWith: SandboxKeyFailure | undefined;
}

/** Fills in defaults and rejects keys the sandbox could not serve faithfully. */
export function resolveKeys(keys: readonly SandboxKey[]): Map<string, ResolvedKey> {
  const resolved = new Map<string, ResolvedKey>();
  for (const key of keys) {
    if (!['bybit', 'binance', 'okx', 'coinbase', 'kucoin', 'kraken'].includes(key.exchange)) {
      throw new TypeError(
        `Sandbox key exchange must be bybit, binance, okx, coinbase, kucoin or kraken, got "${key.exchange}".`,
      );
    }
    if (!key.apiKey || !(key.apiSecret || key.publicKey)) {
      throw new TypeError(
        `A ${key.exchange} sandbox key needs a non-empty apiKey, and an apiSecret or publicKey.`,
      );
    }
    if ((key.exchange === 'okx' || key.exchange === 'kucoin') && !key.passphrase) {
      const name = key.exchange === 'okx' ? 'OKX' : 'KuCoin';
      throw new TypeError(`The ${name} sandbox key ${keyPreview(key.apiKey)} needs a passphrase.`);
    }
    const expiresAt = key.expiresAt ? Date.parse(key.expiresAt) : null;
    if (Number.isNaN(expiresAt)) {
      throw new TypeError(`expiresAt of sandbox key ${keyPreview(key.apiKey)} is not an ISO date.`);
    }
    const id = keyId(key.exchange, key.apiKey);
    if (resolved.has(id)) {
      throw new TypeError(
        `The ${key.exchange} sandbox key ${keyPreview(key.apiKey)} is listed twice.`,
      );
    }
    resolved.set(id, {
      exchange: key.exchange,
      apiKey: key.apiKey,
      apiSecret: key.apiSecret,
      verifyPem: key.publicKey ?? (key.apiSecret.includes('PRIVATE KEY') ? key.apiSecret : null),
      subAccount: key.subAccount ?? null,
      label: key.label ?? 'exkeys sandbox key',
      passphrase: key.passphrase ?? '',
      read: key.permissions?.read ?? true,
      trade: key.permissions?.trade ?? true,
      withdraw: key.permissions?.withdraw ?? false,
      ips: key.ips ?? [],
      expiresAt,
      environment: key.environment ?? 'live',
      nativePermissions: key.nativePermissions,
      keyInfoBody: key.keyInfoBody,
      failWith: key.failWith,
    });
  }
  return resolved;
}

/** The lookup id of a key: keys are per exchange, so the same string may exist twice. */
export function keyId(exchange: SandboxExchange, apiKey: string): string {
  return `${exchange}\u0000${apiKey}`;
}

/** At most the first 6 characters of a key id, as the rest of exkeys shows keys. */
export function keyPreview(apiKey: string): string {
  return apiKey.length <= 6 ? `${apiKey.slice(0, 2)}…` : `${apiKey.slice(0, 6)}…`;
}

/** Whether a request from `ip` passes the key's whitelist. */
export function ipAllowed(key: ResolvedKey, ip: string): boolean {
  return key.ips.length === 0 || key.ips.includes('*') || key.ips.includes(ip);
}

/** Whether the key has expired at `now` (ms). */
export function isExpired(key: ResolvedKey, now: number): boolean {
  return key.expiresAt !== null && key.expiresAt <= now;
}

/** A key as the sandbox holds it, for invariant checks in tests. Holds no secret. */
export interface SandboxKeyView {
  readonly exchange: SandboxExchange;
  /** The key id (not a secret: it is sent in a header with every request). */
  readonly apiKey: string;
  /** The sub-account, `null` for a master-account key. */
  readonly subAccount: string | null;
  readonly label: string;
  readonly ips: readonly string[];
  /** What the key may do, as the exchange reports it (see `SandboxKey.nativePermissions`). */
  readonly nativePermissions: SandboxKey['nativePermissions'];
  readonly read: boolean;
  readonly trade: boolean;
  readonly withdraw: boolean;
  /** True when the sandbox only knows the key's public half. */
  readonly publicKeyOnly: boolean;
}

/** The secret-free view of a key. */
export function viewKey(key: ResolvedKey): SandboxKeyView {
  return {
    exchange: key.exchange,
    apiKey: key.apiKey,
    subAccount: key.subAccount,
    label: key.label,
    ips: [...key.ips],
    nativePermissions: key.nativePermissions,
    read: key.read,
    trade: key.trade,
    withdraw: key.withdraw,
    publicKeyOnly: key.apiSecret === '',
  };
}

/** A random key id or secret of `length` letters and digits, as the sandbox hands out. */
export function randomToken(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}
