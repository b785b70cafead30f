import { getCredentials } from '@exkeys/credentials';
import { startSandbox } from '@exkeys/sandbox';
import { describeExchangePackage } from '../../credentials/src/exchange/test-exchange-suite.js';
import { createBybitClient, verifyBybitKey } from './index.js';

describeExchangePackage({
  exchange: 'bybit',
  startSandbox,
  credentials: (env) => getCredentials('bybit', { env }),
  create: createBybitClient,
  verify: verifyBybitKey,
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
