/**
 * `@exkeys/bybit`: a ccxt Bybit client that only accepts validated exkeys credentials, and a live
 * audit of what a key may do (`GET /v5/user/query-api`).
 * @module
 */
import {
  defineExchange,
  type ExchangeClientOptions,
  type ExchangeFunctions,
  type KeyFacts,
  type Zod,
} from '@exkeys/credentials/exchange';
import type { bybit } from 'ccxt';

/** Options of {@link createBybitClient} and {@link verifyBybitKey}; see `ExchangeClientOptions`. */
export type BybitClientOptions = ExchangeClientOptions;

/** The ccxt version this package is tested with; another installed version loads all of ccxt. */
export const CCXT_VERSION = '4.5.84';

const TRADE_GROUPS = [
  'ContractTrade',
  'Spot',
  'Options',
  'Derivatives',
  'CopyTrading',
  'BlockTrade',
];

function readKeyInfo(z: Zod, response: unknown): KeyFacts {
  const { result } = z
    .object({
      result: z.object({
        readOnly: z.coerce.number(),
        permissions: z.record(z.string(), z.array(z.string())),
        ips: z.array(z.string()).default([]),
        expiredAt: z.string().default(''),
      }),
    })
    .parse(response);
  const trading = TRADE_GROUPS.some((group) => (result.permissions[group] ?? []).length > 0);
  const expires = Date.parse(result.expiredAt);
  return {
    permissions: {
      read: true,
      trade: result.readOnly === 0 && trading,
      withdraw: (result.permissions.Wallet ?? []).includes('Withdraw'),
      transfer: false,
      grants: [],
    },
    ipRestricted: result.ips.length > 0 && !result.ips.includes('*'),
    expiresAt: Number.isNaN(expires) ? null : new Date(expires).toISOString(),
  };
}

type BybitFunctions = ExchangeFunctions<'bybit', bybit>;

const exchange: BybitFunctions = defineExchange({
  id: 'bybit',
  name: 'Bybit',
  ccxt: {
    version: CCXT_VERSION,
    packageUrl: import.meta.url,
    importAll: () => import('ccxt'),
  },
  modes: { testnet: 'sandbox-mode', demo: 'demo-trading' },
  keyInfo: {
    endpoint: 'GET /v5/user/query-api',
    call: (client) => client.privateGetV5UserQueryApi(),
    read: readKeyInfo,
  },
  errors: {
    '10002': 'clock-skew',
    '10003': 'invalid-key',
    '10004': 'bad-signature',
    '10010': 'ip-not-allowed',
    '33004': 'expired',
  },
});

/**
 * Creates a ccxt `bybit` client from `getCredentials('bybit')`. Loads only ccxt's Bybit module.
 * ccxt's `verbose` output is redacted: it never shows the key, secret or passphrase.
 * @throws {CredentialsError} for credentials that are not validated Bybit credentials.
 */
export const createBybitClient: BybitFunctions['createClient'] = exchange.createClient;

/**
 * Verifies a Bybit key with one call to `GET /v5/user/query-api` and reports its permissions, IP
 * whitelist and expiry. Pass the report to `assertSafeKey`.
 * @throws {KeyVerificationError} when Bybit refuses the key (see `reason`) or cannot be reached.
 */
export const verifyBybitKey: BybitFunctions['verifyKey'] = exchange.verifyKey;
