/**
 * `@exkeys/okx`: a ccxt OKX client that only accepts validated exkeys credentials (key, secret and
 * passphrase), and a live audit of what a key may do (`GET /api/v5/account/config`).
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
import type { okx } from 'ccxt';
import { OKX_KEY_MANAGEMENT } from './key-management.js';
import { callAccountConfig, readAccountConfig } from './permissions.js';

/** The ccxt version this package pins and is tested with; another installed version loads all of ccxt. */
export { CCXT_VERSION } from '@exkeys/credentials/exchange';
export { classifyPerm, EMPTY_TOKEN, OKX_PERMISSIONS, readAccountConfig } from './permissions.js';

/**
 * Which OKX site the key was created on. OKX keeps accounts apart by region, and each region has
 * its own API host (the hosts of ccxt 4.5.84's `okx`, `myokx` and `okxus` classes):
 * - `global`: www.okx.com, API host `www.okx.com`;
 * - `eea`: my.okx.com (European Economic Area), API host `eea.okx.com`;
 * - `us`: app.okx.com (United States), API host `us.okx.com`.
 *
 * A key of one region is unknown to the others: www.okx.com answers an EEA or US key with `50119`
 * ("API key doesn't exist").
 */
export type OkxRegion = 'global' | 'eea' | 'us';

/** The API host of each {@link OkxRegion}, as ccxt 4.5.84 names them. */
export const OKX_REGION_HOSTS: Readonly<Record<OkxRegion, string>> = {
  global: 'www.okx.com',
  eea: 'eea.okx.com',
  us: 'us.okx.com',
};

/**
 * Options of {@link createOkxClient} and {@link verifyOkxKey}: `ExchangeClientOptions` plus
 * `region`. OKX has no separate testnet: `testnet` and `demo` both select demo trading (the
 * `x-simulated-trading: 1` header), which needs a key created in OKX demo trading.
 */
export interface OkxClientOptions extends ExchangeClientOptions {
  /**
   * The OKX site the key belongs to, which picks the API host: `global` (www.okx.com), `eea`
   * (my.okx.com, API host eea.okx.com) or `us` (app.okx.com, API host us.okx.com). Demo trading
   * uses the same host with the simulated-trading header. `baseUrl` still replaces the origin,
   * and a `hostname` in the `ccxt` options wins over it. Anything else throws a `TypeError`.
   * @default 'global'
   */
  region?: OkxRegion;
}

function regionOptions(options: OkxClientOptions): { hostname: string } {
  const region = options.region ?? 'global';
  if (!Object.hasOwn(OKX_REGION_HOSTS, region)) {
    throw new TypeError(
      `Unknown OKX region ${JSON.stringify(String(region)).slice(0, 40)}: use 'global' (www.okx.com), 'eea' (my.okx.com) or 'us' (app.okx.com), the site where the key was created.`,
    );
  }
  return { hostname: OKX_REGION_HOSTS[region] };
}

const REGIONS_HINT =
  'OKX also answers 50119 when the key belongs to another region: keys created on my.okx.com (EEA) or app.okx.com (US) are unknown to www.okx.com; pass region: "eea" (API host eea.okx.com) or region: "us" (API host us.okx.com). OKX also deletes lapsed keys (e.g. trading keys without an IP whitelist unused for 14 days).';

type OkxFunctions = ExchangeFunctions<'okx', okx, OkxClientOptions>;

const spec: ExchangeSpec<'okx', okx, OkxClientOptions> = {
  id: 'okx',
  name: 'OKX',
  ccxt: ccxtSource(import.meta.url, () => import('ccxt')),
  // ccxt's OKX sandbox mode is the simulated-trading header; its enableDemoTrading breaks OKX URLs.
  modes: { testnet: 'sandbox-mode', demo: 'sandbox-mode' },
  keyInfo: {
    endpoint: 'GET /api/v5/account/config',
    call: (client) => callAccountConfig(client),
    read: (_z, response) => readAccountConfig(response),
  },
  ccxtOptions: regionOptions,
  // https://www.okx.com/docs-v5/en/#error-code-rest-api-public (HTTP status in brackets)
  errors: {
    '50011': 'rate-limited', // [429] Rate limit reached
    '50101': 'wrong-environment', // [401] APIKey does not match current environment
    '50102': 'clock-skew', // [401] Timestamp request expired
    '50104': 'wrong-passphrase', // [401] OK-ACCESS-PASSPHRASE cannot be empty
    '50105': 'wrong-passphrase', // [401] OK-ACCESS-PASSPHRASE incorrect
    '50110': 'ip-not-allowed', // [401] Your IP is not in the key's whitelist
    '50111': 'invalid-key', // [401] Invalid OK-ACCESS-KEY
    '50113': 'bad-signature', // [401] Invalid signature
    '50119': { reason: 'expired', hint: REGIONS_HINT }, // [401] API key doesn't exist
    '50120': 'permission-denied', // [401] API key doesn't have permission
  },
};

const exchange: OkxFunctions = defineExchange(spec);

/**
 * OKX's sub-account key API for `rotateKey` (from `@exkeys/credentials/exchange`): the bot key
 * reads itself with `GET /api/v5/account/config`; the admin (master) key finds its sub-account
 * with `GET /api/v5/users/subaccount/list`, and creates, lists and deletes its keys with
 * `POST /api/v5/users/subaccount/apikey`, `GET /api/v5/users/subaccount/apikey` and
 * `POST /api/v5/users/subaccount/delete-apikey`. A new key's passphrase is generated here.
 */
export const okxKeyManager: KeyManager<'okx', OkxClientOptions> = defineKeyManager(
  spec,
  OKX_KEY_MANAGEMENT,
);

/**
 * Creates a ccxt `okx` client from `getCredentials('okx')`. Loads only ccxt's OKX module. ccxt's
 * `verbose` output is redacted: it never shows the key, secret or passphrase (sent as a header).
 * @throws {CredentialsError} for credentials that are not validated OKX credentials.
 */
export const createOkxClient: OkxFunctions['createClient'] = exchange.createClient;

/**
 * Swaps the credentials of a live {@link createOkxClient} client between requests: the next
 * request is signed with `creds`, markets are not reloaded, and the redaction covers the new secrets.
 * Pair it with `watchCredentials('okx', ...)` so that a rotated key reaches a running bot.
 * @throws {CredentialsError} for credentials that are not validated OKX credentials, or a client
 *   `createOkxClient` did not build.
 */
export const updateOkxClient: OkxFunctions['updateClient'] = exchange.updateClient;

/**
 * Verifies an OKX key with one call to `GET /api/v5/account/config` and reports its permissions
 * (every `perm` token of every `data` entry, classified by {@link OKX_PERMISSIONS}) and IP
 * whitelist (OKX does not report an expiry). Pass the report to `assertSafeKey`, which refuses
 * `withdraw` and unknown tokens.
 * @throws {KeyVerificationError} when OKX refuses the key (see `reason`) or cannot be reached.
 */
export const verifyOkxKey: OkxFunctions['verifyKey'] = exchange.verifyKey;
