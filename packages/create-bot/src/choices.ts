/**
 * The choices a new project is made from: its exchanges and its store.
 * @module
 */

/** The exchanges a generated bot can trade on. */
export const EXCHANGE_IDS = ['bybit', 'binance', 'okx', 'coinbase', 'kucoin', 'kraken'] as const;
/** One of {@link EXCHANGE_IDS}. */
export type ExchangeChoice = (typeof EXCHANGE_IDS)[number];

/** Where the generated bot keeps its keys. */
export const STORE_CHOICES = ['env', 'age', 'docker'] as const;
/**
 * One of {@link STORE_CHOICES}: a `.env` file, an age keystore (`.env.age`), or Docker secrets
 * (a `compose.yaml` mounting one file per variable under `/run/secrets`).
 */
export type StoreChoice = (typeof STORE_CHOICES)[number];
