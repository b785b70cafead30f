/**
 * One switch that turns an exchange id into validated credentials plus that exchange's factory and
 * verifier. Each branch calls `getCredentials` with a literal id, so the types prove that only
 * validated Bybit credentials reach the Bybit client, and so on.
 * @module
 */
import {
  binanceKeyManager,
  createBinanceClient,
  updateBinanceClient,
  verifyBinanceKey,
} from '@exkeys/binance';
import {
  bybitKeyManager,
  createBybitClient,
  updateBybitClient,
  verifyBybitKey,
} from '@exkeys/bybit';
import { createCoinbaseClient, updateCoinbaseClient, verifyCoinbaseKey } from '@exkeys/coinbase';
import {
  assertSafeKey,
  type CredentialWatcher,
  type EnvSource,
  getCredentials,
  type KeyPolicy,
  type KeyReport,
  type StoreOption,
  type ValidatedCredentials,
  watchCredentials,
} from '@exkeys/credentials';
import type { KeyManager } from '@exkeys/credentials/exchange';
import { createKrakenClient, updateKrakenClient, verifyKrakenKey } from '@exkeys/kraken';
import { createKucoinClient, updateKucoinClient, verifyKucoinKey } from '@exkeys/kucoin';
import { createOkxClient, okxKeyManager, updateOkxClient, verifyOkxKey } from '@exkeys/okx';

/** The exchanges this bot supports. */
export const EXCHANGES = ['bybit', 'binance', 'okx', 'coinbase', 'kucoin', 'kraken'] as const;

/** One of {@link EXCHANGES}. */
export type ExchangeId = (typeof EXCHANGES)[number];

/** Where the client connects. Leave all unset for mainnet. */
export interface ConnectionOptions {
  /** Use the exchange's testnet. */
  testnet?: boolean;
  /** Use the exchange's demo-trading environment. */
  demo?: boolean;
  /** Replace the API origin, e.g. the loopback sandbox `http://127.0.0.1:PORT`. */
  baseUrl?: string;
}

/** The small part of a ccxt client the bot uses. */
export interface TradingClient {
  fetchBalance(): Promise<Record<string, unknown>>;
  fetchTicker(symbol: string): Promise<{ last?: number | undefined }>;
  loadMarkets(): Promise<unknown>;
  market(symbol: string): {
    limits: { amount?: { min?: number | undefined }; cost?: { min?: number | undefined } };
  };
  amountToPrecision(symbol: string, amount: number): string | undefined;
  priceToPrecision(symbol: string, price: number): string | undefined;
  createOrder(
    symbol: string,
    type: 'limit',
    side: 'buy',
    amount: number,
    price: number,
  ): Promise<{ id?: string | undefined }>;
  cancelOrder(id: string, symbol: string): Promise<unknown>;
}

/** Validated credentials with the matching verifier and factory. */
export interface Connection {
  /** Step 3's result: validated values only. */
  creds: ValidatedCredentials;
  /** Live key check: one authenticated call, no trading. */
  verify(): Promise<KeyReport>;
  /** Builds the ccxt client. */
  client(): Promise<TradingClient>;
  /**
   * Watches the store for a rotated key. Each validated change is verified and audited like the
   * first key, then swapped into `client` between two requests (markets stay loaded). A key that
   * fails either check is not used: the client keeps the old one and `onError` is told.
   */
  watch(client: TradingClient, options: KeyWatchOptions): Promise<CredentialWatcher>;
  /**
   * The exchange's sub-account key API, for `rotateKey` (`exkeys rotate --auto`); unset for an
   * exchange exkeys cannot rotate that way.
   */
  keyManager?: KeyManager;
}

/** Options of {@link Connection.watch}. */
export interface KeyWatchOptions extends StoreOption {
  /** How new keys are audited. @default { purpose: 'trade' } */
  policy?: KeyPolicy;
  /** Called after the client switched to a new key, with the audit's warnings. */
  onRotated(creds: ValidatedCredentials, warnings: string[]): void;
  /** Called when a new key is invalid, refused by the exchange or unsafe; the old key stays. */
  onError(error: Error): void;
}

/** {@link Connection.watch} for one exchange: watch, then verify, audit and swap. */
function watchKeys<E extends ExchangeId>(
  exchange: E,
  profile: string | undefined,
  verify: (creds: ValidatedCredentials<E>) => Promise<KeyReport>,
  update: (creds: ValidatedCredentials<E>) => void,
  { onRotated, onError, policy = { purpose: 'trade' }, ...from }: KeyWatchOptions,
): Promise<CredentialWatcher> {
  return watchCredentials(exchange, {
    ...from,
    profile,
    onError,
    onChange: async (next) => {
      const creds = next as unknown as ValidatedCredentials<E>;
      const report = await verify(creds);
      const { warnings } = assertSafeKey(report, policy);
      update(creds);
      onRotated(creds, [...report.warnings, ...warnings]);
    },
  });
}

/** Step 3 for `exchange`, plus its verifier and factory. Throws `CredentialsError` when invalid. */
export function connect(
  exchange: ExchangeId,
  read: { env: EnvSource; profile?: string },
  options: ConnectionOptions,
): Connection {
  switch (exchange) {
    case 'bybit': {
      const creds = getCredentials('bybit', read);
      return {
        creds,
        verify: () => verifyBybitKey(creds, options),
        client: async () => await createBybitClient(creds, options),
        watch: (client, on) =>
          watchKeys(
            'bybit',
            read.profile,
            (next) => verifyBybitKey(next, options),
            (next) => updateBybitClient(client as never, next),
            on,
          ),
        keyManager: bybitKeyManager as KeyManager,
      };
    }
    case 'binance': {
      const creds = getCredentials('binance', read);
      return {
        creds,
        verify: () => verifyBinanceKey(creds, options),
        client: async () => await createBinanceClient(creds, options),
        watch: (client, on) =>
          watchKeys(
            'binance',
            read.profile,
            (next) => verifyBinanceKey(next, options),
            (next) => updateBinanceClient(client as never, next),
            on,
          ),
        keyManager: binanceKeyManager as KeyManager,
      };
    }
    case 'okx': {
      const creds = getCredentials('okx', read);
      return {
        creds,
        verify: () => verifyOkxKey(creds, options),
        client: async () => await createOkxClient(creds, options),
        watch: (client, on) =>
          watchKeys(
            'okx',
            read.profile,
            (next) => verifyOkxKey(next, options),
            (next) => updateOkxClient(client as never, next),
            on,
          ),
        keyManager: okxKeyManager as KeyManager,
      };
    }
    case 'coinbase': {
      const creds = getCredentials('coinbase', read);
      return {
        creds,
        verify: () => verifyCoinbaseKey(creds, options),
        client: async () => await createCoinbaseClient(creds, options),
        watch: (client, on) =>
          watchKeys(
            'coinbase',
            read.profile,
            (next) => verifyCoinbaseKey(next, options),
            (next) => updateCoinbaseClient(client as never, next),
            on,
          ),
      };
    }
    case 'kucoin': {
      const creds = getCredentials('kucoin', read);
      return {
        creds,
        verify: () => verifyKucoinKey(creds, options),
        client: async () => await createKucoinClient(creds, options),
        watch: (client, on) =>
          watchKeys(
            'kucoin',
            read.profile,
            (next) => verifyKucoinKey(next, options),
            (next) => updateKucoinClient(client as never, next),
            on,
          ),
      };
    }
    case 'kraken': {
      const creds = getCredentials('kraken', read);
      return {
        creds,
        verify: () => verifyKrakenKey(creds, options),
        client: async () => await createKrakenClient(creds, options),
        watch: (client, on) =>
          watchKeys(
            'kraken',
            read.profile,
            (next) => verifyKrakenKey(next, options),
            (next) => updateKrakenClient(client as never, next),
            on,
          ),
      };
    }
  }
}
