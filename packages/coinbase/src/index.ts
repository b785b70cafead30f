/**
 * `@exkeys/coinbase`: a ccxt Coinbase Advanced Trade client that only accepts validated exkeys
 * credentials (a CDP key: key name and private key), and a live audit of what the key may do
 * (`GET /api/v3/brokerage/key_permissions`).
 * @module
 */
import {
  ccxtSource,
  defineExchange,
  type ExchangeClientOptions,
  type ExchangeFunctions,
} from '@exkeys/credentials/exchange';
import type { coinbase } from 'ccxt';
import { readKeyPermissions } from './permissions.js';

/** The ccxt version this package pins and is tested with; another installed version loads all of ccxt. */
export { CCXT_VERSION } from '@exkeys/credentials/exchange';
export { COINBASE_PERMISSIONS, PORTFOLIO_TYPES, readKeyPermissions } from './permissions.js';

/**
 * The host of Coinbase's Advanced Trade sandbox
 * (https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/sandbox): static, pre-defined
 * answers for the Accounts and Orders endpoints, which need no real key.
 */
export const COINBASE_SANDBOX_HOST = 'api-sandbox.coinbase.com';

/**
 * Options of {@link createCoinbaseClient} and {@link verifyCoinbaseKey}: `ExchangeClientOptions`
 * plus `sandbox`. Coinbase has no testnet or demo trading; its one test environment is the
 * Advanced Trade sandbox, selected by `sandbox: true` (or `testnet: true`, the same thing).
 * `demo` is refused.
 */
export interface CoinbaseClientOptions extends ExchangeClientOptions {
  /**
   * Send requests to Coinbase's Advanced Trade sandbox (`https://api-sandbox.coinbase.com`),
   * which answers Accounts and Orders calls with static examples. It does not serve
   * `key_permissions`, so `verifyCoinbaseKey` cannot audit a key there. `baseUrl` still replaces
   * the origin.
   * @default false
   */
  sandbox?: boolean;
}

/**
 * ccxt options that keep the client on Advanced Trade v3: balances from
 * `GET /api/v3/brokerage/accounts` (ccxt 4.5.84 defaults to the v2 `accounts`), no v2 currency
 * calls while loading markets, and the sandbox host as ccxt's test URL.
 */
function v3Options(): Readonly<Record<string, unknown>> {
  return {
    urls: { test: { rest: `https://${COINBASE_SANDBOX_HOST}` } },
    has: { fetchCurrencies: false },
    options: { fetchBalance: 'v3PrivateGetBrokerageAccounts' },
  };
}

const AUTH_HINT =
  "Coinbase answers every authentication failure with a bare 401 Unauthorized, so also check that COINBASE_API_SECRET is the private key of this key (the privateKey of the key file, with its line breaks), that this machine's clock is right (each request is signed with a JWT valid for 2 minutes), and that the key's IP allowlist includes this machine.";

type CoinbaseFunctions = ExchangeFunctions<'coinbase', coinbase, CoinbaseClientOptions>;

const exchange: CoinbaseFunctions = defineExchange({
  id: 'coinbase',
  name: 'Coinbase',
  ccxt: ccxtSource(import.meta.url, () => import('ccxt')),
  modes: { testnet: 'sandbox-mode' },
  keyInfo: {
    endpoint: 'GET /api/v3/brokerage/key_permissions',
    call: (client) => client.v3PrivateGetBrokerageKeyPermissions(),
    read: (_z, response) => readKeyPermissions(response),
  },
  ccxtOptions: v3Options,
  // Coinbase's JSON errors are gRPC-gateway errors (`grpc.gateway.runtime.Error`), whose `code`
  // is the gRPC status: https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/data-api/get-api-key-permissions
  // Authentication failures carry no code (a bare 401): ccxt's AuthenticationError, invalid-key,
  // with authenticationHint naming what else a 401 can mean.
  errors: {
    '7': 'permission-denied', // [403] PERMISSION_DENIED: the key lacks the scope
    '8': 'rate-limited', // [429] RESOURCE_EXHAUSTED
  },
  authenticationHint: AUTH_HINT,
});

const withSandbox = (options: CoinbaseClientOptions | undefined) =>
  options?.sandbox ? { ...options, testnet: true } : options;

/**
 * Creates a ccxt `coinbase` client from `getCredentials('coinbase')`, set up for Advanced Trade v3
 * (see {@link CoinbaseClientOptions}). Loads only ccxt's Coinbase module. ccxt signs each request
 * with a JWT: ES256 for an ECDSA key (PEM secret), EdDSA for an Ed25519 key (base64 secret).
 * ccxt's `verbose` output is redacted: it never shows the key name or the private key. `ccxt`
 * options are merged over the package's v3 settings one level deep.
 * @throws {CredentialsError} for credentials that are not validated Coinbase credentials.
 */
export const createCoinbaseClient: CoinbaseFunctions['createClient'] = (creds, options) =>
  exchange.createClient(creds, withSandbox(options));

/**
 * Swaps the credentials of a live {@link createCoinbaseClient} client between requests: the next
 * request is signed with `creds`, markets are not reloaded, and the redaction covers the new
 * secrets. Pair it with `watchCredentials('coinbase', ...)` so that a rotated key reaches a
 * running bot.
 * @throws {CredentialsError} for credentials that are not validated Coinbase credentials, or a
 *   client `createCoinbaseClient` did not build.
 */
export const updateCoinbaseClient: CoinbaseFunctions['updateClient'] = exchange.updateClient;

/**
 * Verifies a Coinbase CDP key with one call to `GET /api/v3/brokerage/key_permissions` and reports
 * its permissions (`can_view` read, `can_trade` trade, `can_transfer` withdraw: Coinbase's
 * Transfer scope sends funds off the platform). Coinbase reports no IP allowlist and no expiry:
 * the report holds `unchecked: ['ip-whitelist']`, which `assertSafeKey` refuses unless the policy
 * accepts it (`acceptUnchecked: ['ip-whitelist']`, CLI `--accept-unchecked ip-whitelist`).
 * @throws {KeyVerificationError} when Coinbase refuses the key (see `reason`) or cannot be reached.
 */
export const verifyCoinbaseKey: CoinbaseFunctions['verifyKey'] = (creds, options) =>
  exchange.verifyKey(creds, withSandbox(options));
