/**
 * `@exkeys/kraken`: a ccxt Kraken (spot) client that only accepts validated exkeys credentials
 * (an API key and its base64 private key), and a live audit of what a key may do
 * (`POST /0/private/GetApiKeyInfo`). Kraken nonces must increase per key, so one key serves one
 * process.
 * @module
 */
import {
  ccxtSource,
  defineExchange,
  type ExchangeClientOptions,
  type ExchangeFunctions,
} from '@exkeys/credentials/exchange';
import type { kraken } from 'ccxt';
import { krakenNonce } from './nonce.js';
import { readApiKeyInfo } from './permissions.js';

/** The ccxt version this package pins and is tested with; another installed version loads all of ccxt. */
export { CCXT_VERSION } from '@exkeys/credentials/exchange';
export { EMPTY_PERMISSION, KRAKEN_PERMISSIONS, readApiKeyInfo } from './permissions.js';

const NONCE_LEAD =
  'Kraken refuses a nonce that is not greater than the last one this key sent: another process (a second bot, or a script run alongside the bot) is probably using the same key, and one Kraken key serves one process. Give each process its own key; if no other process uses it, check the clock of the machine that last used it.';

type KrakenFunctions = ExchangeFunctions<'kraken', kraken, ExchangeClientOptions>;

const exchange: KrakenFunctions = defineExchange({
  id: 'kraken',
  name: 'Kraken',
  ccxt: ccxtSource(import.meta.url, () => import('ccxt')),
  // Kraken spot has no testnet or demo environment (ccxt 4.5.84 lists none): both are refused.
  modes: {},
  keyInfo: {
    endpoint: 'POST /0/private/GetApiKeyInfo',
    call: (client) => client.privatePostGetApiKeyInfo(),
    read: (_z, response) => readApiKeyInfo(response),
  },
  // One nonce counter for every client of the process, so no two requests repeat a nonce.
  ccxtOptions: () => ({ nonce: krakenNonce }),
  // https://support.kraken.com/articles/360001491786-api-error-messages and ccxt's `exceptions`.
  errors: {
    'EAPI:Invalid key': {
      reason: 'invalid-key',
      hint: 'Kraken gives the same answer for a key that has expired or been disabled: check its expiry date on the API page.',
    },
    'EAPI:Invalid signature': {
      reason: 'bad-signature',
      hint: 'The secret is the base64 "Private key" Kraken showed when the key was created.',
    },
    'EAPI:Invalid nonce': { reason: 'clock-skew', lead: NONCE_LEAD },
    'EGeneral:Permission denied': {
      reason: 'permission-denied',
      hint: "If the key has an IP allowlist, check that this machine's address is on it.",
    },
    'EAPI:Feature disabled': {
      reason: 'permission-denied',
      hint: 'Kraken has disabled the feature this call uses for the account or key.',
    },
    'EAPI:Rate limit exceeded': 'rate-limited',
    'EGeneral:Too many requests': 'rate-limited',
    'EGeneral:Temporary lockout': 'rate-limited',
  },
});

/**
 * Creates a ccxt `kraken` client from `getCredentials('kraken')`. Loads only ccxt's Kraken
 * module. ccxt's `verbose` output is redacted: it never shows the key or the private key.
 *
 * One key serves one process: Kraken refuses a nonce not greater than the last one the key sent
 * (`EAPI:Invalid nonce`). Every client this function builds draws its nonces from one counter of
 * the process, so clients of one key in one process never collide; a second process (another bot,
 * a script) using the same key can. Give each process its own key. Kraken spot has no testnet:
 * `testnet` and `demo` throw a `TypeError`; `baseUrl` points the client at a sandbox.
 * @throws {CredentialsError} for credentials that are not validated Kraken credentials.
 */
export const createKrakenClient: KrakenFunctions['createClient'] = exchange.createClient;

/**
 * Swaps the credentials of a live {@link createKrakenClient} client between requests: the next
 * request is signed with `creds`, markets are not reloaded, and the redaction covers the new
 * secrets. Pair it with `watchCredentials('kraken', ...)` so that a rotated key reaches a running
 * bot.
 * @throws {CredentialsError} for credentials that are not validated Kraken credentials, or a
 *   client `createKrakenClient` did not build.
 */
export const updateKrakenClient: KrakenFunctions['updateClient'] = exchange.updateClient;

/**
 * Verifies a Kraken key with one call to `POST /0/private/GetApiKeyInfo` and reports its
 * permissions (every name in `permissions`, classified by {@link KRAKEN_PERMISSIONS}), its IP
 * allowlist and its expiry (`validUntil`). Pass the report to `assertSafeKey`, which refuses
 * `withdraw-funds` and names it does not know. The call spends one nonce of the key, like any
 * private request (see {@link createKrakenClient}).
 * @throws {KeyVerificationError} when Kraken refuses the key (see `reason`) or cannot be reached.
 */
export const verifyKrakenKey: KrakenFunctions['verifyKey'] = exchange.verifyKey;
