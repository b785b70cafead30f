import { getCredentials } from '@exkeys/credentials';
import { describeExchangePackage } from '@exkeys/credentials/testing';
import { startSandbox } from '@exkeys/sandbox';
import { createKrakenClient, updateKrakenClient, verifyKrakenKey } from './index.js';

const BINANCE_ENV = {
  BINANCE_API_KEY: 'foreignBinanceKey01',
  BINANCE_API_SECRET: 'CANARYSECRETforeignBinance0001',
};

describeExchangePackage({
  exchange: 'kraken',
  startSandbox,
  credentials: (env) => getCredentials('kraken', { env }),
  foreignCredentials: () => getCredentials('binance', { env: BINANCE_ENV }),
  create: createKrakenClient,
  verify: verifyKrakenKey,
  update: (client, creds) => updateKrakenClient(client as never, creds),
  keyInfoPath: '/0/private/GetApiKeyInfo',
  keyInfoMethod: 'POST',
  reportsExpiry: true,
  testnet: false,
  // Kraken decodes the private key from base64: the canary text is padded to whole 4-character groups.
  secretOf: (text) => text.padEnd(Math.ceil(text.length / 4) * 4, '0'),
  // Kraken documents no separate answers for an IP outside the allowlist or an expired key: the
  // sandbox answers them as Kraken's documented errors do (see the sandbox README).
  failures: [
    { provoke: 'unknown-key', reason: 'invalid-key', code: 'EAPI:Invalid key' },
    { provoke: 'wrong-secret', reason: 'bad-signature', code: 'EAPI:Invalid signature' },
    {
      provoke: 'ip-not-whitelisted',
      reason: 'permission-denied',
      code: 'EGeneral:Permission denied',
    },
    { provoke: 'expired-key', reason: 'invalid-key', code: 'EAPI:Invalid key' },
    { provoke: 'skewed-clock', reason: 'clock-skew', code: 'EAPI:Invalid nonce' },
    { provoke: 'closed-port', reason: 'network' },
  ],
  order: { symbol: 'BTC/USDT', amount: 0.001, price: 20_000 },
});
