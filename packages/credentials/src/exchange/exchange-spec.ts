/**
 * What an exchange package tells the kit: where its ccxt is, how it switches to testnet or demo, which
 * endpoint audits a key, and what the exchange's error codes mean. Everything else is shared.
 * @module
 */
import type { z } from 'zod';
import type { KeyVerificationReason } from '../errors.js';
import type { KeyPermissions, UncheckedFact } from '../policy.js';
import type { ValidatedCredentials } from '../validated-credentials.js';
import type { CcxtSource } from './ccxt-loader.js';
import type { ExchangeClientOptions } from './client-options.js';

/** How ccxt switches a client into a test environment. */
export type CcxtMode = 'sandbox-mode' | 'demo-trading';

/**
 * One entry of an exchange's error table: a reason, and optionally advice specific to that code,
 * said after the reason's advice (`hint`) or before it (`lead`, for what to check first).
 */
export type ErrorTableEntry =
  | KeyVerificationReason
  | { reason: KeyVerificationReason; hint?: string; lead?: string };

/** Exchange error code (as a string, e.g. `'10003'`, `'-2015'`) to reason. */
export type ErrorTable = Readonly<Record<string, ErrorTableEntry>>;

/** The zod namespace, handed to parsers so that zod is imported only when a key is verified. */
export type Zod = typeof z;

/** What a key-information endpoint says about a key. */
export interface KeyFacts {
  /** What the key can do. */
  permissions: KeyPermissions;
  /** True when the key only works from whitelisted IP addresses. */
  ipRestricted: boolean;
  /** When the key expires (ISO 8601), or `null`. */
  expiresAt: string | null;
  /** Whole days until expiry as the exchange counts them, or `null`. @default null */
  expiresInDays?: number | null;
  /** Exchange-specific advice. */
  warnings?: string[];
  /**
   * What the endpoint does not report about the key (e.g. `ip-whitelist` for Coinbase, which
   * reports no IP allowlist): the report's `unchecked`, refused by `assertSafeKey` unless accepted.
   * @default []
   */
  unchecked?: UncheckedFact[];
}

/** One authenticated call and how to read its answer. */
export interface KeyEndpoint<C> {
  /** For messages, e.g. `GET /v5/user/query-api`. */
  endpoint: string;
  /**
   * Makes the call with a ccxt implicit API method, e.g. `(c) => c.privateGetV5UserQueryApi()`.
   * It may throw `unreadableField(...)` for an answer ccxt rejects as malformed.
   */
  call: (client: C) => Promise<unknown>;
  /**
   * Parses the response with zod and maps it to {@link KeyFacts}. A zod failure, or
   * `unreadableField(...)`, becomes a `KeyVerificationError` `unreadable-response` naming the field.
   */
  read: (z: Zod, response: unknown) => KeyFacts;
}

/** A fallback endpoint for environments without the key-information endpoint (Binance testnet). */
export interface FallbackEndpoint<C> extends KeyEndpoint<C> {
  /** True when `client` cannot reach the main endpoint. */
  applies: (client: C) => boolean;
  /** Added to the report's warnings, e.g. that permissions could not be audited. */
  warning: string;
}

/**
 * Everything exchange-specific. `C` is the ccxt class, e.g. `bybit`; `O` the options of the
 * exchange's factory and verifier, {@link ExchangeClientOptions} plus the exchange's own (OKX
 * `region`).
 */
export interface ExchangeSpec<
  E extends string,
  C,
  O extends ExchangeClientOptions = ExchangeClientOptions,
> {
  /** The ccxt id and exkeys exchange id, e.g. `bybit`. */
  id: E;
  /** Display name for messages, e.g. `Bybit`. */
  name: string;
  /** Where the exchange package's ccxt is. */
  ccxt: CcxtSource;
  /** How each environment option is applied; an option without a mode is refused. */
  modes: { testnet?: CcxtMode; demo?: CcxtMode };
  /** The key-information endpoint. */
  keyInfo: KeyEndpoint<C>;
  /** An authenticated account call for environments where `keyInfo` is unavailable. */
  fallback?: FallbackEndpoint<C>;
  /** The exchange's authentication error codes (`retCode` for Bybit, `code` for Binance and OKX). */
  errors: ErrorTable;
  /**
   * Advice added when the exchange refuses the key without a code the error table knows (a bare
   * HTTP 401), e.g. that Coinbase answers an unknown key, a wrong private key and an expired JWT
   * alike.
   */
  authenticationHint?: string;
  /**
   * How long a rate-limited client should wait, in ms, from the response headers (lower-cased
   * names). When unset, or when it returns `undefined`, a standard `Retry-After` header is read.
   */
  retryAfter?: (headers: Readonly<Record<string, string>>, now: number) => number | undefined;
  /**
   * Turns the exchange's own options (those of `O` beyond {@link ExchangeClientOptions}) into ccxt
   * constructor options, e.g. OKX `region: 'eea'` into `{ hostname: 'eea.okx.com' }`. It runs
   * before the client is built and throws a `TypeError` for a value it does not know. The caller's
   * `ccxt` options are merged over its result (one level deep: a caller's `options` object keeps
   * the exchange's other `options`), and `baseUrl` still replaces the origin.
   */
  ccxtOptions?: (options: O) => Readonly<Record<string, unknown>>;
  /**
   * Values computed from the credentials that the exchange receives in place of one, e.g. KuCoin's
   * v2 passphrase (the passphrase signed with the secret, the same on every request). ccxt's
   * `verbose` log and `last_request_headers` show them, so they are redacted like the
   * credentials themselves.
   */
  derivedSecrets?: (creds: ValidatedCredentials) => readonly string[];
}
