/**
 * `@exkeys/binance`: a ccxt Binance client that only accepts validated exkeys credentials, and a
 * live audit of what a key may do (`GET /sapi/v1/account/apiRestrictions`).
 * @module
 */
import {
  ccxtSource,
  defineExchange,
  defineKeyManager,
  type ExchangeClientOptions,
  type ExchangeFunctions,
  type ExchangeSpec,
  type KeyManager,
} from '@exkeys/credentials/exchange';
import type { binance } from 'ccxt';
import { BINANCE_KEY_MANAGEMENT } from './key-management.js';
import { readApiRestrictions } from './permissions.js';

/** The ccxt version this package pins and is tested with; another installed version loads all of ccxt. */
export { CCXT_VERSION } from '@exkeys/credentials/exchange';
export { BINANCE_PERMISSIONS, REQUIRED_FLAGS, readApiRestrictions } from './permissions.js';

/** Options of {@link createBinanceClient} and {@link verifyBinanceKey}; see `ExchangeClientOptions`. */
export type BinanceClientOptions = ExchangeClientOptions;

type BinanceFunctions = ExchangeFunctions<'binance', binance>;

const spec: ExchangeSpec<'binance', binance> = {
  id: 'binance',
  name: 'Binance',
  ccxt: ccxtSource(import.meta.url, () => import('ccxt')),
  modes: { testnet: 'sandbox-mode', demo: 'demo-trading' },
  keyInfo: {
    endpoint: 'GET /sapi/v1/account/apiRestrictions',
    call: (client) => client.sapiGetAccountApiRestrictions(),
    read: (_z, response) => readApiRestrictions(response),
  },
  // The testnet and demo trading have no /sapi: an account call at least proves the key works.
  fallback: {
    endpoint: 'GET /api/v3/account',
    applies: (client) => !('sapi' in client.urls.api),
    call: (client) => client.privateGetAccount(),
    read: (z, response) => ({
      permissions: {
        read: true,
        trade: z.object({ canTrade: z.boolean() }).parse(response).canTrade,
        withdraw: false,
        transfer: false,
        grants: [],
      },
      ipRestricted: false,
      expiresAt: null,
    }),
    warning:
      'Binance testnet and demo trading have no /sapi, so the key permissions could not be audited: only GET /api/v3/account was checked. Audit the live key before trading real funds.',
  },
  // https://developers.binance.com/docs/binance-spot-api-docs/errors and .../rest-api/limits
  errors: {
    '-1003': 'rate-limited', // TOO_MANY_REQUESTS (HTTP 429; HTTP 418 once the IP is banned)
    '-1021': 'clock-skew',
    '-1022': 'bad-signature',
    '-2008': {
      reason: 'invalid-key',
      hint: 'Binance also sends -2008 for a key of another environment: testnet and demo-trading keys need { testnet: true } or { demo: true }, live keys neither.',
    },
    '-2014': 'invalid-key',
    '-2015': {
      reason: 'invalid-key',
      hint: 'Binance sends -2015 alike for an unknown key, an IP not on the key whitelist, a missing permission, and a key of another environment (testnet, demo): check all four.',
    },
  },
};

const exchange: BinanceFunctions = defineExchange(spec);

/**
 * Binance's sub-account key API for `rotateKey` (from `@exkeys/credentials/exchange`): the bot key
 * reads its flags with `GET /sapi/v1/account/apiRestrictions`; the admin (master) key finds its
 * sub-account and IP list (`GET /sapi/v1/sub-account/list`, `…/subAccountApi/ipRestriction`), and
 * creates (`POST /sapi/v2/sub-account/subAccountApi` with the public half of an Ed25519 key pair
 * generated on this machine), lists and deletes (`GET`/`DELETE /sapi/v1/sub-account/subAccountApi`)
 * the sub-account's keys. The new key's private half never crosses the network.
 */
export const binanceKeyManager: KeyManager<'binance'> = defineKeyManager(
  spec,
  BINANCE_KEY_MANAGEMENT,
);

/**
 * Creates a ccxt `binance` client from `getCredentials('binance')`. Loads only ccxt's Binance module.
 * ccxt's `verbose` output is redacted: it never shows the key or secret.
 * @throws {CredentialsError} for credentials that are not validated Binance credentials.
 */
export const createBinanceClient: BinanceFunctions['createClient'] = exchange.createClient;

/**
 * Swaps the credentials of a live {@link createBinanceClient} client between requests: the next
 * request is signed with `creds`, markets are not reloaded, and the redaction covers the new secrets.
 * Pair it with `watchCredentials('binance', ...)` so that a rotated key reaches a running bot.
 * @throws {CredentialsError} for credentials that are not validated Binance credentials, or a client
 *   `createBinanceClient` did not build.
 */
export const updateBinanceClient: BinanceFunctions['updateClient'] = exchange.updateClient;

/**
 * Verifies a Binance key with one call to `GET /sapi/v1/account/apiRestrictions` (on the testnet
 * and demo trading, `GET /api/v3/account`, with a warning) and reports its permissions, IP
 * whitelist and trading-authority expiry. Pass the report to `assertSafeKey`.
 * @throws {KeyVerificationError} when Binance refuses the key (see `reason`) or cannot be reached.
 */
export const verifyBinanceKey: BinanceFunctions['verifyKey'] = exchange.verifyKey;
