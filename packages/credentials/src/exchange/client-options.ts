/**
 * The options every exchange factory and verifier takes (`createBybitClient(creds, options)`,
 * `verifyOkxKey(creds, options)`...).
 * @module
 */

/** Options of `createBybitClient`, `createBinanceClient`, `createOkxClient` and the `verify*Key` functions. */
export interface ExchangeClientOptions {
  /**
   * Use the exchange's testnet, through ccxt's `setSandboxMode(true)`: Bybit `api-testnet.bybit.com`,
   * Binance `testnet.binance.vision` (spot only, no `/sapi`), OKX simulated trading. Cannot be combined
   * with `demo`.
   * @default false
   */
  testnet?: boolean;
  /**
   * Use the exchange's demo-trading environment: Bybit `api-demo.bybit.com`, Binance
   * `demo-api.binance.com` (no `/sapi`), OKX the `x-simulated-trading: 1` header. Demo keys are
   * created on the exchange's demo site. Cannot be combined with `testnet`.
   * @default false
   */
  demo?: boolean;
  /**
   * Replace the origin of every ccxt API URL, keeping the exchange's paths (`/v5/...`, `/api/v3/...`,
   * `/sapi/v1/...`, `/api/v5/...`). Applied after `testnet`/`demo`, so a client can talk to a proxy
   * or to the loopback `@exkeys/sandbox`. Only http: and https: URLs are accepted.
   * @default undefined (the exchange's own origin)
   */
  baseUrl?: string;
  /**
   * Extra ccxt constructor options, merged in (e.g. `{ timeout: 5000, verbose: true, options: {...} }`).
   * Credential fields (`apiKey`, `secret`, `password`...) are refused: keys only come from
   * `getCredentials`.
   * @default {}
   */
  ccxt?: Readonly<Record<string, unknown>>;
}
