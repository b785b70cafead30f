// The loader's fallbacks (another ccxt version, another layout) are tested once, with @exkeys/bybit.
import { describeLightLoading } from '@exkeys/credentials/testing';
import { CCXT_VERSION } from './index.js';

describeLightLoading({
  exchange: 'kucoin',
  packageName: '@exkeys/kucoin',
  factory: 'createKucoinClient',
  ccxtVersion: CCXT_VERSION,
  testUrl: import.meta.url,
  importCcxt: () => import('ccxt'),
  env: {
    KUCOIN_API_KEY: '6705f5c311545b000157d3eb',
    KUCOIN_API_SECRET: 'f03a5284-5c39-4aaa-9b20-dea10bdcf8e3',
    KUCOIN_API_PASSPHRASE: 'light-loading',
  },
});
