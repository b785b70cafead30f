/**
 * `@exkeys/kucoin`: a ccxt KuCoin client that only accepts validated exkeys credentials (key,
 * secret and passphrase), and a live audit of what a key may do (`GET /api/v1/user/api-key`).
 * @module
 */
import { createHmac } from 'node:crypto';
import {
  ccxtSource,
  defineExchange,
  type ExchangeClientOptions,
  type ExchangeFunctions,
  withUncodedAnswer,
} from '@exkeys/credentials/exchange';
import type { kucoin } from 'ccxt';
import { readApiKeyInfo } from './key-info.js';

/** The ccxt version this package pins and is tested with; another installed version loads all of ccxt. */
export { CCXT_VERSION } from '@exkeys/credentials/exchange';
export { classifyPermissionString, EMPTY_TOKEN, readApiKeyInfo } from './key-info.js';
export { KUCOIN_PERMISSIONS } from './permission-table.js';

/**
 * Options of {@link createKucoinClient} and {@link verifyKucoinKey}; see `ExchangeClientOptions`.
 * KuCoin has closed its public sandbox, and ccxt 4.5.84 has no test URLs for it: `testnet` and
 * `demo` are refused. `baseUrl` replaces every KuCoin origin (spot, futures, broker, unified).
 */
export type KucoinClientOptions = ExchangeClientOptions;

/** KuCoin's v2 passphrase: base64 HMAC-SHA256 of the passphrase under the secret. */
function signedPassphrase(secret: string, passphrase: string): string {
  return createHmac('sha256', secret).update(passphrase, 'utf8').digest('base64');
}

/** KuCoin's rate-limit header: the ms until the quota of the resource pool resets. */
const LIMIT_RESET = 'gw-ratelimit-reset';

/** The wait a rate-limited answer asks for, from `gw-ratelimit-reset` (ms from now). */
export function kucoinRetryAfter(headers: Readonly<Record<string, string>>): number | undefined {
  const reset = Number(headers[LIMIT_RESET]);
  return headers[LIMIT_RESET] && Number.isFinite(reset) && reset >= 0 ? reset : undefined;
}

const LAPSED_HINT =
  'KuCoin also answers 400003 for a key it deleted: trading keys without an IP whitelist are deleted (or lose their trading permissions) after 30 days unused.';

const SIGNED_PASSPHRASE_HINT =
  'KuCoin v2 and v3 keys send the passphrase signed with the secret, so a wrong secret is answered 400004 too: re-check the secret as well.';

type KucoinFunctions = ExchangeFunctions<'kucoin', kucoin, KucoinClientOptions>;

const exchange: KucoinFunctions = defineExchange({
  id: 'kucoin',
  name: 'KuCoin',
  ccxt: ccxtSource(import.meta.url, () => import('ccxt')),
  // No testnet or demo trading: KuCoin closed its sandbox (openapi-sandbox.kucoin.com).
  modes: {},
  keyInfo: {
    endpoint: 'GET /api/v1/user/api-key',
    call: (client) => withUncodedAnswer(client, client.privateGetUserApiKey(), 'code'),
    read: readApiKeyInfo,
  },
  // https://www.kucoin.com/docs-new/error-code (gateway errors; HTTP 401, 429 for 429000)
  errors: {
    '400001': 'invalid-key', // A KC-API-* header is missing
    '400002': 'clock-skew', // Invalid KC-API-TIMESTAMP (more than 5 s from server time)
    '400003': { reason: 'invalid-key', hint: LAPSED_HINT }, // KC-API-KEY does not exist
    '400004': { reason: 'wrong-passphrase', hint: SIGNED_PASSPHRASE_HINT }, // Invalid KC-API-PASSPHRASE
    '400005': 'bad-signature', // Invalid KC-API-SIGN
    '400006': 'ip-not-allowed', // Invalid request IP
    '400007': 'permission-denied', // Access denied, requires more permission
    '400301': 'region-restricted', // Operation restricted due to local laws, regulations, or policies
    '429000': 'rate-limited', // Too Many Requests (HTTP 429)
  },
  retryAfter: kucoinRetryAfter,
  // ccxt sends KC-API-KEY-VERSION 2: the passphrase goes out signed with the secret, a value as
  // lasting as the passphrase, so it is redacted too.
  derivedSecrets: (creds) =>
    creds.passphrase === undefined ? [] : [signedPassphrase(creds.apiSecret, creds.passphrase)],
});

/**
 * Creates a ccxt `kucoin` client from `getCredentials('kucoin')`. Loads only ccxt's KuCoin module.
 * ccxt's `verbose` output is redacted: it never shows the key, secret or passphrase (sent signed
 * with the secret, as KuCoin's v2 keys require).
 * @throws {CredentialsError} for credentials that are not validated KuCoin credentials.
 */
export const createKucoinClient: KucoinFunctions['createClient'] = exchange.createClient;

/**
 * Swaps the credentials of a live {@link createKucoinClient} client between requests: the next
 * request is signed with `creds`, markets are not reloaded, and the redaction covers the new
 * secrets. Pair it with `watchCredentials('kucoin', ...)` so that a rotated key reaches a running bot.
 * @throws {CredentialsError} for credentials that are not validated KuCoin credentials, or a
 *   client `createKucoinClient` did not build.
 */
export const updateKucoinClient: KucoinFunctions['updateClient'] = exchange.updateClient;

/**
 * Verifies a KuCoin key with one call to `GET /api/v1/user/api-key` and reports its permissions
 * (every token of `permission`, classified by {@link KUCOIN_PERMISSIONS}) and IP whitelist
 * (KuCoin does not report an expiry). Pass the report to `assertSafeKey`, which refuses
 * `Withdrawal` and unknown tokens.
 * @throws {KeyVerificationError} when KuCoin refuses the key (see `reason`) or cannot be reached.
 */
export const verifyKucoinKey: KucoinFunctions['verifyKey'] = exchange.verifyKey;
