/**
 * `@exkeys/okx`: a ccxt OKX client that only accepts validated exkeys credentials (key, secret and
 * passphrase), and a live audit of what a key may do (`GET /api/v5/account/config`).
 * @module
 */
import {
  defineExchange,
  type ExchangeClientOptions,
  type ExchangeFunctions,
  type KeyFacts,
  type Zod,
} from '@exkeys/credentials/exchange';
import type { okx } from 'ccxt';

/**
 * Options of {@link createOkxClient} and {@link verifyOkxKey}; see `ExchangeClientOptions`. OKX has
 * no separate testnet: `testnet` and `demo` both select demo trading (the `x-simulated-trading: 1`
 * header), which needs a key created in OKX demo trading.
 */
export type OkxClientOptions = ExchangeClientOptions;

/** The ccxt version this package is tested with; another installed version loads all of ccxt. */
export const CCXT_VERSION = '4.5.84';

function readConfig(z: Zod, response: unknown): KeyFacts {
  const { data } = z
    .object({ data: z.array(z.object({ perm: z.string(), ip: z.string().default('') })).min(1) })
    .parse(response);
  const { perm, ip } = data[0]!;
  const perms = perm.split(',').map((p) => p.trim());
  return {
    permissions: {
      read: true,
      trade: perms.includes('trade'),
      withdraw: perms.includes('withdraw'),
      transfer: false,
      grants: [],
    },
    ipRestricted: ip.trim() !== '',
    expiresAt: null,
  };
}

type OkxFunctions = ExchangeFunctions<'okx', okx>;

const exchange: OkxFunctions = defineExchange({
  id: 'okx',
  name: 'OKX',
  ccxt: {
    version: CCXT_VERSION,
    packageUrl: import.meta.url,
    importAll: () => import('ccxt'),
  },
  // ccxt's OKX sandbox mode is the simulated-trading header; its enableDemoTrading breaks OKX URLs.
  modes: { testnet: 'sandbox-mode', demo: 'sandbox-mode' },
  keyInfo: {
    endpoint: 'GET /api/v5/account/config',
    call: (client) => client.privateGetAccountConfig(),
    read: readConfig,
  },
  errors: {
    '50101': {
      reason: 'invalid-key',
      hint: 'OKX says the key belongs to another environment: demo-trading keys need { demo: true }, live keys must not set it.',
    },
    '50102': 'clock-skew',
    '50104': 'wrong-passphrase',
    '50105': 'wrong-passphrase',
    '50110': 'ip-not-allowed',
    '50111': 'invalid-key',
    '50113': 'bad-signature',
    '50119': {
      reason: 'expired',
      hint: 'OKX deletes lapsed keys (e.g. trading keys without an IP whitelist unused for 14 days), so it may also have been deleted.',
    },
  },
});

/**
 * Creates a ccxt `okx` client from `getCredentials('okx')`. Loads only ccxt's OKX module. ccxt's
 * `verbose` output is redacted: it never shows the key, secret or passphrase (sent as a header).
 * @throws {CredentialsError} for credentials that are not validated OKX credentials.
 */
export const createOkxClient: OkxFunctions['createClient'] = exchange.createClient;

/**
 * Verifies an OKX key with one call to `GET /api/v5/account/config` and reports its permissions and
 * IP whitelist (OKX does not report an expiry). Pass the report to `assertSafeKey`.
 * @throws {KeyVerificationError} when OKX refuses the key (see `reason`) or cannot be reached.
 */
export const verifyOkxKey: OkxFunctions['verifyKey'] = exchange.verifyKey;
