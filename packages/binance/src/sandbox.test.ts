import { getCredentials } from '@exkeys/credentials';
import { describeExchangePackage } from '@exkeys/credentials/testing';
import { startSandbox } from '@exkeys/sandbox';
import { createBinanceClient, updateBinanceClient, verifyBinanceKey } from './index.js';

const BYBIT_ENV = {
  BYBIT_API_KEY: 'foreignBybitKey01',
  BYBIT_API_SECRET: 'CANARYSECRETforeignBybit000000000000',
};

describeExchangePackage({
  exchange: 'binance',
  startSandbox,
  credentials: (env) => getCredentials('binance', { env }),
  foreignCredentials: () => getCredentials('bybit', { env: BYBIT_ENV }),
  create: createBinanceClient,
  verify: verifyBinanceKey,
  update: (client, creds) => updateBinanceClient(client as never, creds),
  keyInfoPath: '/sapi/v1/account/apiRestrictions',
  reportsExpiry: true,
  // Binance has no expiry refusal: a lapsed key loses trading authority, reported as expiresAt.
  failures: [
    { provoke: 'unknown-key', reason: 'invalid-key', code: '-2015' },
    { provoke: 'wrong-secret', reason: 'bad-signature', code: '-1022' },
    { provoke: 'ip-not-whitelisted', reason: 'invalid-key', code: '-2015' },
    { provoke: 'skewed-clock', reason: 'clock-skew', code: '-1021' },
    { provoke: 'closed-port', reason: 'network' },
  ],
  order: { symbol: 'BTC/USDT', amount: 0.001, price: 20_000 },
});
