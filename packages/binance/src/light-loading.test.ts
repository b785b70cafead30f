// The loader's fallbacks (another ccxt version, another layout) are tested once, with @exkeys/bybit.
import { describeLightLoading } from '@exkeys/credentials/testing';
import { CCXT_VERSION } from './index.js';

describeLightLoading({
  exchange: 'binance',
  packageName: '@exkeys/binance',
  factory: 'createBinanceClient',
  ccxtVersion: CCXT_VERSION,
  testUrl: import.meta.url,
  importCcxt: () => import('ccxt'),
  env: { BINANCE_API_KEY: 'a'.repeat(64), BINANCE_API_SECRET: 'b'.repeat(64) },
});
