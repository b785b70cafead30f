import { getCredentials } from '@exkeys/credentials';
import { describeExchangePackage } from '@exkeys/credentials/testing';
import { startSandbox } from '@exkeys/sandbox';
import { createBybitClient, updateBybitClient, verifyBybitKey } from './index.js';

const OKX_ENV = {
  OKX_API_KEY: '1a2b3c4d-0000-4000-8000-00000000c0de',
  OKX_API_SECRET: 'CANARYSECRETOKXFOREIGN0000000000',
  OKX_API_PASSPHRASE: 'CANARYPASSFOREIGN',
};

describeExchangePackage({
  exchange: 'bybit',
  startSandbox,
  credentials: (env) => getCredentials('bybit', { env }),
  foreignCredentials: () => getCredentials('okx', { env: OKX_ENV }),
  create: createBybitClient,
  verify: verifyBybitKey,
  update: (client, creds) => updateBybitClient(client as never, creds),
  keyInfoPath: '/v5/user/query-api',
  reportsExpiry: true,
  failures: [
    { provoke: 'unknown-key', reason: 'invalid-key', code: '10003' },
    { provoke: 'wrong-secret', reason: 'bad-signature', code: '10004' },
    { provoke: 'ip-not-whitelisted', reason: 'ip-not-allowed', code: '10010' },
    { provoke: 'expired-key', reason: 'expired', code: '33004' },
    { provoke: 'skewed-clock', reason: 'clock-skew', code: '10002' },
    { provoke: 'closed-port', reason: 'network' },
  ],
  order: { symbol: 'BTC/USDT', amount: 0.001, price: 20_000 },
});
