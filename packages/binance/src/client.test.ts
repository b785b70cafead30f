import { getCredentials, type ValidatedCredentials } from '@exkeys/credentials';
import { type Sandbox, startSandbox } from '@exkeys/sandbox';
import type { binance } from 'ccxt';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createBinanceClient, updateBinanceClient, verifyBinanceKey } from './index.js';

const key = {
  apiKey: 'CANARYKEYbinance0000000000001',
  apiSecret: 'CANARYSECRETbinance000000000001',
};
const creds = getCredentials('binance', {
  env: { BINANCE_API_KEY: key.apiKey, BINANCE_API_SECRET: key.apiSecret },
});
const lapsed = {
  apiKey: 'CANARYKEYbinance0000000000002',
  apiSecret: 'CANARYSECRETbinance000000000002',
};
const lapsedCreds = getCredentials('binance', {
  env: { BINANCE_API_KEY: lapsed.apiKey, BINANCE_API_SECRET: lapsed.apiSecret },
});

describe('createBinanceClient', () => {
  it('takes only validated Binance credentials, at compile time', () => {
    expectTypeOf(createBinanceClient).parameter(0).toEqualTypeOf<ValidatedCredentials<'binance'>>();
    expectTypeOf(verifyBinanceKey).parameter(0).toEqualTypeOf<ValidatedCredentials<'binance'>>();
    expectTypeOf(createBinanceClient).returns.resolves.toEqualTypeOf<binance>();
    expectTypeOf(updateBinanceClient).parameter(0).toEqualTypeOf<binance>();
    expectTypeOf(updateBinanceClient).parameter(1).toEqualTypeOf<ValidatedCredentials<'binance'>>();
    const noRegion = () => {
      // @ts-expect-error region is an OKX option; Binance options do not have it
      void createBinanceClient(creds, { region: 'eea' });
    };
    expect(noRegion).toBeTypeOf('function');
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
      keys: [
        { exchange: 'binance', ...key, permissions: { trade: false } },
        { exchange: 'binance', ...lapsed, expiresAt: '2020-01-01T00:00:00Z' },
      ],
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
      expect(report.permissions).toEqual({
        read: true,
        trade: false,
        withdraw: false,
        transfer: false,
        grants: [],
      });
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

  it('reports a key whose trading authority lapsed as read-only, with a warning, since Binance does not refuse it', async () => {
    const options = { baseUrl: sandbox.url };
    const report = await verifyBinanceKey(lapsedCreds, options);
    expect(report).toMatchObject({
      permissions: { read: true, trade: false, withdraw: false },
      expiresAt: '2020-01-01T00:00:00.000Z',
      warnings: [expect.stringMatching(/trading authority expired .* no longer trade/)],
    });
    // What the sandbox does with it, as Binance does: reading works, trading answers -2015.
    const client = await createBinanceClient(lapsedCreds, options);
    await expect(client.fetchBalance()).resolves.toBeDefined();
    const refused = await client
      .createOrder('BTC/USDT', 'limit', 'buy', 0.001, 20_000)
      .catch((e: unknown) => e);
    expect(String(refused)).toContain('-2015');
  });
});
