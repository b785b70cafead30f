/**
 * `@exkeys/bybit`: a ccxt Bybit client that only accepts validated exkeys credentials, and a live
 * audit of what a key may do (`GET /v5/user/query-api`).
 * @module
 */
import {
  ccxtSource,
  defineExchange,
  defineKeyManager,
  type ExchangeClientOptions,
  type ExchangeFunctions,
  type ExchangeSpec,
  type KeyFacts,
  type KeyManager,
  unreadableField,
  withUncodedAnswer,
  type Zod,
} from '@exkeys/credentials/exchange';
import type { bybit } from 'ccxt';
import { readKeyInfo } from './key-info.js';
import { BYBIT_KEY_MANAGEMENT } from './key-management.js';

/** The ccxt version this package pins and is tested with; another installed version loads all of ccxt. */
export { CCXT_VERSION } from '@exkeys/credentials/exchange';
export { BYBIT_PERMISSIONS } from './permission-table.js';

/** Options of {@link createBybitClient} and {@link verifyBybitKey}; see `ExchangeClientOptions`. */
export type BybitClientOptions = ExchangeClientOptions;

/** Bybit's rate-limit header: when the per-UID limit resets, in ms since the epoch. */
const LIMIT_RESET = 'x-bapi-limit-reset-timestamp';

/** The wait a rate-limited answer asks for, from `X-Bapi-Limit-Reset-Timestamp`. */
export function bybitRetryAfter(
  headers: Readonly<Record<string, string>>,
  now: number,
): number | undefined {
  const reset = Number(headers[LIMIT_RESET]);
  return headers[LIMIT_RESET] && Number.isFinite(reset) ? Math.max(0, reset - now) : undefined;
}

/** Demo trading's account call proves the key works there; it says nothing about permissions. */
function readDemoAccount(_z: Zod, response: unknown): KeyFacts {
  const body = response as { retCode?: unknown; result?: unknown } | null;
  if (typeof body !== 'object' || body === null || String(body.retCode) !== '0') {
    unreadableField('retCode', 'is missing or not 0');
  }
  if (typeof body.result !== 'object' || body.result === null) {
    unreadableField('result', 'is missing or not an object');
  }
  return {
    // Not audited: a demo key is assumed to trade, so a data key on demo trading is refused.
    // Demo trading is a separate account without withdrawals or transfers.
    permissions: { read: true, trade: true, withdraw: false, transfer: false, grants: [] },
    ipRestricted: false,
    expiresAt: null,
  };
}

type BybitFunctions = ExchangeFunctions<'bybit', bybit>;

const spec: ExchangeSpec<'bybit', bybit> = {
  id: 'bybit',
  name: 'Bybit',
  ccxt: ccxtSource(import.meta.url, () => import('ccxt')),
  modes: { testnet: 'sandbox-mode', demo: 'demo-trading' },
  keyInfo: {
    endpoint: 'GET /v5/user/query-api',
    call: (client) => withUncodedAnswer(client, client.privateGetV5UserQueryApi(), 'retCode'),
    read: readKeyInfo,
  },
  // Demo trading has no query-api (ccxt skips it there too): /v5/account/info is on its list.
  fallback: {
    endpoint: 'GET /v5/account/info',
    applies: (client) => client.options.enableDemoTrading === true,
    call: (client) => withUncodedAnswer(client, client.privateGetV5AccountInfo(), 'retCode'),
    read: readDemoAccount,
    warning:
      'Bybit demo trading has no GET /v5/user/query-api, so exkeys checked only that the key works there (GET /v5/account/info). Not checked: its permissions (assumed to trade), IP whitelist and expiry. Demo funds are not real; audit the live key before trading real funds.',
  },
  errors: {
    '10002': 'clock-skew',
    '10003': {
      reason: 'invalid-key',
      lead: 'Bybit keeps mainnet, testnet and demo trading keys apart, and a key is invalid outside the environment it was created in: check that the testnet and demo options match where the key was made. If they do,',
    },
    '10004': 'bad-signature',
    // Demo trading's answer for an endpoint it lacks, such as query-api.
    '10032': {
      reason: 'wrong-environment',
      hint: 'Bybit answered that demo trading does not support this call: verify demo trading keys with the demo option.',
    },
    '10005': 'permission-denied',
    '10006': 'rate-limited',
    '10009': 'region-restricted',
    '10010': 'ip-not-allowed',
    '33004': 'expired',
    '-2015': 'expired',
  },
  retryAfter: bybitRetryAfter,
};

const exchange: BybitFunctions = defineExchange(spec);

/**
 * Bybit's sub-account key API for `rotateKey` (from `@exkeys/credentials/exchange`): the bot key
 * reads itself with `GET /v5/user/query-api`; the admin (master) key creates, lists and deletes
 * sub-account keys with `POST /v5/user/create-sub-api`, `GET /v5/user/sub-apikeys` and
 * `POST /v5/user/delete-sub-api`. New keys are HMAC keys whose secret Bybit returns once.
 */
export const bybitKeyManager: KeyManager<'bybit'> = defineKeyManager(spec, BYBIT_KEY_MANAGEMENT);

/**
 * Creates a ccxt `bybit` client from `getCredentials('bybit')`. Loads only ccxt's Bybit module.
 * ccxt's `verbose` output is redacted: it never shows the key, secret or passphrase.
 * @throws {CredentialsError} for credentials that are not validated Bybit credentials.
 */
export const createBybitClient: BybitFunctions['createClient'] = exchange.createClient;

/**
 * Swaps the credentials of a live {@link createBybitClient} client between requests: the next
 * request is signed with `creds`, markets are not reloaded, and the redaction covers the new secrets.
 * Pair it with `watchCredentials('bybit', ...)` so that a rotated key reaches a running bot.
 * @throws {CredentialsError} for credentials that are not validated Bybit credentials, or a client
 *   `createBybitClient` did not build.
 */
export const updateBybitClient: BybitFunctions['updateClient'] = exchange.updateClient;

/**
 * Verifies a Bybit key with one call to `GET /v5/user/query-api` and reports its classified
 * permissions (see {@link BYBIT_PERMISSIONS}), IP whitelist and expiry. With `demo: true` it calls
 * `GET /v5/account/info` instead, with a warning: demo trading has no query-api. Pass the report
 * to `assertSafeKey`.
 * @throws {KeyVerificationError} when Bybit refuses the key (see `reason`) or cannot be reached.
 */
export const verifyBybitKey: BybitFunctions['verifyKey'] = exchange.verifyKey;
