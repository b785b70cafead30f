/**
 * `@exkeys/binance`: a ccxt Binance client that only accepts validated exkeys credentials, and a
 * live audit of what a key may do (`GET /sapi/v1/account/apiRestrictions`).
 * @module
 */
import {
  defineExchange,
  type ExchangeClientOptions,
  type ExchangeFunctions,
  type KeyFacts,
  type Zod,
} from '@exkeys/credentials/exchange';
import type { binance } from 'ccxt';

/** Options of {@link createBinanceClient} and {@link verifyBinanceKey}; see `ExchangeClientOptions`. */
export type BinanceClientOptions = ExchangeClientOptions;

/** The ccxt version this package is tested with; another installed version loads all of ccxt. */
export const CCXT_VERSION = '4.5.84';

function readRestrictions(z: Zod, response: unknown): KeyFacts {
  const flag = z.boolean().default(false);
  const r = z
    .object({
      ipRestrict: flag,
      enableReading: flag,
      enableWithdrawals: flag,
      enableInternalTransfer: flag,
      permitsUniversalTransfer: flag,
      enableSpotAndMarginTrading: flag,
      enableMargin: flag,
      enableFutures: flag,
      enableVanillaOptions: flag,
      enablePortfolioMarginTrading: flag,
      tradingAuthorityExpirationTime: z.coerce.number().optional(),
    })
    .parse(response);
  const trade =
    r.enableSpotAndMarginTrading ||
    r.enableMargin ||
    r.enableFutures ||
    r.enableVanillaOptions ||
    r.enablePortfolioMarginTrading;
  const expiry = r.tradingAuthorityExpirationTime;
  const expiresAt = expiry === undefined ? null : new Date(expiry).toISOString();
  // Binance never refuses a lapsed key: it keeps reading, and only its trading authority ends.
  const lapsed = expiry !== undefined && expiry <= Date.now();
  const warnings: string[] = [];
  if (lapsed) {
    warnings.push(
      `The Binance key's trading authority expired at ${expiresAt}: it can read but no longer trade. Restrict the key to your IP addresses (whitelisted keys do not lapse) or create a new key.`,
    );
  }
  if (r.enableInternalTransfer || r.permitsUniversalTransfer) {
    warnings.push(
      'The Binance key can transfer funds between your accounts: turn off internal and universal transfer unless the bot needs them.',
    );
  }
  return {
    permissions: {
      read: r.enableReading,
      trade: trade && !lapsed,
      withdraw: r.enableWithdrawals,
      transfer: false,
      grants: [],
    },
    ipRestricted: r.ipRestrict,
    expiresAt,
    warnings,
  };
}

type BinanceFunctions = ExchangeFunctions<'binance', binance>;

const exchange: BinanceFunctions = defineExchange({
  id: 'binance',
  name: 'Binance',
  ccxt: {
    version: CCXT_VERSION,
    packageUrl: import.meta.url,
    importAll: () => import('ccxt'),
  },
  modes: { testnet: 'sandbox-mode', demo: 'demo-trading' },
  keyInfo: {
    endpoint: 'GET /sapi/v1/account/apiRestrictions',
    call: (client) => client.sapiGetAccountApiRestrictions(),
    read: readRestrictions,
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
  errors: {
    '-1021': 'clock-skew',
    '-1022': 'bad-signature',
    '-2008': 'invalid-key',
    '-2014': 'invalid-key',
    '-2015': {
      reason: 'invalid-key',
      hint: 'Binance also sends -2015 when this IP is not on the key whitelist or the key lacks a permission: check those too.',
    },
  },
});

/**
 * Creates a ccxt `binance` client from `getCredentials('binance')`. Loads only ccxt's Binance module.
 * ccxt's `verbose` output is redacted: it never shows the key or secret.
 * @throws {CredentialsError} for credentials that are not validated Binance credentials.
 */
export const createBinanceClient: BinanceFunctions['createClient'] = exchange.createClient;

/**
 * Verifies a Binance key with one call to `GET /sapi/v1/account/apiRestrictions` (on the testnet
 * and demo trading, `GET /api/v3/account`, with a warning) and reports its permissions, IP
 * whitelist and trading-authority expiry. Pass the report to `assertSafeKey`.
 * @throws {KeyVerificationError} when Binance refuses the key (see `reason`) or cannot be reached.
 */
export const verifyBinanceKey: BinanceFunctions['verifyKey'] = exchange.verifyKey;
