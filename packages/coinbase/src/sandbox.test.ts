import { getCredentials } from '@exkeys/credentials';
import { describeExchangePackage } from '@exkeys/credentials/testing';
import { cdpKeySecret, startSandbox } from '@exkeys/sandbox';
import { createCoinbaseClient, updateCoinbaseClient, verifyCoinbaseKey } from './index.js';

const BINANCE_ENV = {
  BINANCE_API_KEY: 'foreignBinanceKey01',
  BINANCE_API_SECRET: 'CANARYSECRETforeignBinance0001',
};

// Coinbase answers every authentication failure with a bare 401 Unauthorized (no code), and
// reports neither an IP allowlist nor an expiry. The JWT is dated with ccxt's own clock (its
// timeDifference only moves nonces), so a skewed clock is provoked in audit.test.ts instead.
describeExchangePackage({
  exchange: 'coinbase',
  startSandbox,
  credentials: (env) => getCredentials('coinbase', { env }),
  foreignCredentials: () => getCredentials('binance', { env: BINANCE_ENV }),
  create: createCoinbaseClient,
  verify: verifyCoinbaseKey,
  update: (client, creds) => updateCoinbaseClient(client as never, creds),
  keyInfoPath: '/api/v3/brokerage/key_permissions',
  reportsExpiry: false,
  reportsIpWhitelist: false,
  secretOf: (text) => cdpKeySecret(text),
  failures: [
    { provoke: 'unknown-key', reason: 'invalid-key' },
    { provoke: 'wrong-secret', reason: 'invalid-key' },
    { provoke: 'ip-not-whitelisted', reason: 'invalid-key' },
    { provoke: 'expired-key', reason: 'invalid-key' },
    { provoke: 'closed-port', reason: 'network' },
  ],
  order: { symbol: 'BTC/USDT', amount: 0.001, price: 20_000 },
});
