import { getCredentials } from '@exkeys/credentials';
import { describeExchangePackage } from '@exkeys/credentials/testing';
import { startSandbox } from '@exkeys/sandbox';
import { createOkxClient, updateOkxClient, verifyOkxKey } from './index.js';

const BINANCE_ENV = {
  BINANCE_API_KEY: 'foreignBinanceKey01',
  BINANCE_API_SECRET: 'CANARYSECRETforeignBinance0001',
};

describeExchangePackage({
  exchange: 'okx',
  startSandbox,
  credentials: (env) => getCredentials('okx', { env }),
  foreignCredentials: () => getCredentials('binance', { env: BINANCE_ENV }),
  create: createOkxClient,
  verify: verifyOkxKey,
  update: (client, creds) => updateOkxClient(client as never, creds),
  keyInfoPath: '/api/v5/account/config',
  reportsExpiry: false,
  failures: [
    { provoke: 'unknown-key', reason: 'invalid-key', code: '50111' },
    { provoke: 'wrong-secret', reason: 'bad-signature', code: '50113' },
    { provoke: 'wrong-passphrase', reason: 'wrong-passphrase', code: '50105' },
    { provoke: 'ip-not-whitelisted', reason: 'ip-not-allowed', code: '50110' },
    { provoke: 'expired-key', reason: 'expired', code: '50119' },
    { provoke: 'skewed-clock', reason: 'clock-skew', code: '50102' },
    { provoke: 'closed-port', reason: 'network' },
  ],
  order: { symbol: 'BTC/USDT', amount: 0.001, price: 20_000 },
});
