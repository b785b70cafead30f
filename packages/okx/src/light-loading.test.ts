// The loader's fallbacks (another ccxt version, another layout) are tested once, with @exkeys/bybit.
import { describeLightLoading } from '@exkeys/credentials/testing';
import { CCXT_VERSION } from './index.js';

describeLightLoading({
  exchange: 'okx',
  packageName: '@exkeys/okx',
  factory: 'createOkxClient',
  ccxtVersion: CCXT_VERSION,
  testUrl: import.meta.url,
  importCcxt: () => import('ccxt'),
  env: {
    OKX_API_KEY: 'dea00001-0000-4000-8000-00000000e4e5',
    OKX_API_SECRET: 'DEA00001000000000000000000000000',
    OKX_API_PASSPHRASE: 'light-loading',
  },
});
