// The loader's fallbacks (another ccxt version, another layout) are tested once, with @exkeys/bybit.
import { describeLightLoading } from '@exkeys/credentials/testing';
import { CCXT_VERSION } from './index.js';

describeLightLoading({
  exchange: 'kraken',
  packageName: '@exkeys/kraken',
  factory: 'createKrakenClient',
  ccxtVersion: CCXT_VERSION,
  testUrl: import.meta.url,
  importCcxt: () => import('ccxt'),
  env: { KRAKEN_API_KEY: 'abcdefgh'.repeat(7), KRAKEN_API_SECRET: 'abcdefgh'.repeat(11) },
});
