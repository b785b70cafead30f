import { getCredentials } from '@exkeys/credentials';
import { describeExchangePackage } from '@exkeys/credentials/testing';
import { startSandbox } from '@exkeys/sandbox';
import { createKucoinClient, updateKucoinClient, verifyKucoinKey } from './index.js';

const BINANCE_ENV = {
  BINANCE_API_KEY: 'foreignBinanceKey01',
  BINANCE_API_SECRET: 'CANARYSECRETforeignBinance0001',
};

describeExchangePackage({
  exchange: 'kucoin',
  startSandbox,
  credentials: (env) => getCredentials('kucoin', { env }),
  foreignCredentials: () => getCredentials('binance', { env: BINANCE_ENV }),
  create: createKucoinClient,
  verify: verifyKucoinKey,
  update: (client, creds) => updateKucoinClient(client as never, creds),
  keyInfoPath: '/api/v1/user/api-key',
  reportsExpiry: false,
  failures: [
    { provoke: 'unknown-key', reason: 'invalid-key', code: '400003' },
    // v2 keys send the passphrase signed with the secret: a wrong secret fails that check first.
    { provoke: 'wrong-secret', reason: 'wrong-passphrase', code: '400004' },
    { provoke: 'wrong-passphrase', reason: 'wrong-passphrase', code: '400004' },
    { provoke: 'ip-not-whitelisted', reason: 'ip-not-allowed', code: '400006' },
    // KuCoin deletes lapsed keys: an expired key no longer exists.
    { provoke: 'expired-key', reason: 'invalid-key', code: '400003' },
    { provoke: 'skewed-clock', reason: 'clock-skew', code: '400002' },
    { provoke: 'closed-port', reason: 'network' },
  ],
  order: { symbol: 'BTC/USDT', amount: 0.001, price: 20_000 },
  // KuCoin closed its sandbox; ccxt 4.5.84 has no test URLs for it.
  testnet: false,
});
