// The loader's fallbacks (another ccxt version, another layout) are tested once, with @exkeys/bybit.
import { describeLightLoading } from '@exkeys/credentials/testing';
import { cdpKeySecret } from '@exkeys/sandbox';
import { CCXT_VERSION } from './index.js';

describeLightLoading({
  exchange: 'coinbase',
  packageName: '@exkeys/coinbase',
  factory: 'createCoinbaseClient',
  ccxtVersion: CCXT_VERSION,
  testUrl: import.meta.url,
  importCcxt: () => import('ccxt'),
  env: {
    COINBASE_API_KEY: 'c0ffee00-1111-4111-8111-00000000ca11',
    COINBASE_API_SECRET: cdpKeySecret('exkeysLIGHTcoinbase'),
  },
});
