import { getCredentials, type ValidatedCredentials } from '@exkeys/credentials';
import { type Sandbox, startSandbox } from '@exkeys/sandbox';
import type { binance } from 'ccxt';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createBinanceClient, verifyBinanceKey } from './index.js';

const key = {
  apiKey: 'CANARYKEYbinance0000000000001',
  apiSecret: 'CANARYSECRETbinance000000000001',
};
const creds = getCredentials('binance', {
  env: { BINANCE_API_KEY: key.apiKey, BINANCE_API_SECRET: key.apiSecret },
});

describe('createBinanceClient', () => {
  it('takes only validated Binance credentials, at compile time', () => {
    expectTypeOf(createBinanceClient).parameter(0).toEqualTypeOf<ValidatedCredentials<'binance'>>();
    expectTypeOf(verifyBinanceKey).parameter(0).toEqualTypeOf<ValidatedCredentials<'binance'>>();
    expectTypeOf(createBinanceClient).returns.resolves.toEqualTypeOf<binance>();
    const refused = (bybit: ValidatedCredentials<'bybit'>) => {
      // @ts-expect-error Bybit credentials are not Binance credentials
      void createBinanceClient(bybit);
      // @ts-expect-error a plain object is not ValidatedCredentials
      void verifyBinanceKey({
        exchange: 'binance',
        profile: 'default',
        apiKey: 'k',
        apiSecret: 's',
      });
    };
    expect(refused).toBeTypeOf('function');
  });

  it('selects the production, testnet and demo-trading URLs', async () => {
    const live = await createBinanceClient(creds);
    expect(live.urls.api.private).toBe('https://api.binance.com/api/v3');
    expect(live.urls.api.sapi).toBe('https://api.binance.com/sapi/v1');
    const testnet = await createBinanceClient(creds, { testnet: true });
    expect(testnet.urls.api.private).toBe('https://testnet.binance.vision/api/v3');
    const demo = await createBinanceClient(creds, { demo: true });
    expect(demo.urls.api.private).toBe('https://demo-api.binance.com/api/v3');
    expect('sapi' in testnet.urls.api || 'sapi' in demo.urls.api).toBe(false);
  });
});

describe('verifyBinanceKey where /sapi does not exist', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      keys: [{ exchange: 'binance', ...key, permissions: { trade: false } }],
    });
  });
  afterAll(() => sandbox.close());

  it.each([
    ['testnet', { testnet: true }],
    ['demo trading', { demo: true }],
  ])(
    'on %s, checks the key with one account call and warns that permissions were not audited',
    async (_name, mode) => {
      const before = sandbox.requests.length;
      const report = await verifyBinanceKey(creds, { ...mode, baseUrl: sandbox.url });
      expect(sandbox.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.ok}`)).toEqual([
        'GET /api/v3/account true',
      ]);
      expect(report.permissions).toEqual({ read: true, trade: false, withdraw: false });
      expect(report.warnings).toEqual([expect.stringMatching(/permissions could not be audited/)]);
    },
  );

  it('still maps refusals on the fallback call', async () => {
    const wrong = getCredentials('binance', {
      env: { BINANCE_API_KEY: key.apiKey, BINANCE_API_SECRET: 'CANARYSECRETbinanceWRONG0000001' },
    });
    const error = await verifyBinanceKey(wrong, { testnet: true, baseUrl: sandbox.url }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: 'bad-signature', exchangeCode: '-1022' });
    expect(String(error) + JSON.stringify(error)).not.toContain('CANARYSECRET');
  });
});
