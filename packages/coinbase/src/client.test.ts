import { getCredentials, type ValidatedCredentials } from '@exkeys/credentials';
import { cdpKeySecret, type Sandbox, startSandbox } from '@exkeys/sandbox';
import type { coinbase } from 'ccxt';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  COINBASE_SANDBOX_HOST,
  type CoinbaseClientOptions,
  createCoinbaseClient,
  updateCoinbaseClient,
  verifyCoinbaseKey,
} from './index.js';

const key = {
  apiKey: 'c0ffee00-1111-4111-8111-0000000c11e1',
  apiSecret: cdpKeySecret('CANARYSECRETcbclient00000000000001'),
};
const creds = getCredentials('coinbase', {
  env: { COINBASE_API_KEY: key.apiKey, COINBASE_API_SECRET: key.apiSecret },
});

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ keys: [{ exchange: 'coinbase', ...key }] });
});
afterAll(() => sandbox?.close());

describe('createCoinbaseClient', () => {
  it('takes only validated Coinbase credentials, at compile time', () => {
    expectTypeOf(createCoinbaseClient)
      .parameter(0)
      .toEqualTypeOf<ValidatedCredentials<'coinbase'>>();
    expectTypeOf(verifyCoinbaseKey).parameter(0).toEqualTypeOf<ValidatedCredentials<'coinbase'>>();
    expectTypeOf(createCoinbaseClient).returns.resolves.toEqualTypeOf<coinbase>();
    expectTypeOf(updateCoinbaseClient).parameter(0).toEqualTypeOf<coinbase>();
    expectTypeOf(createCoinbaseClient)
      .parameter(1)
      .toEqualTypeOf<CoinbaseClientOptions | undefined>();
    const refused = (okx: ValidatedCredentials<'okx'>) => {
      // @ts-expect-error OKX credentials are not Coinbase credentials
      void verifyCoinbaseKey(okx);
      // @ts-expect-error a plain object is not ValidatedCredentials
      void createCoinbaseClient({
        exchange: 'coinbase',
        profile: 'default',
        apiKey: 'k',
        apiSecret: 's',
      });
    };
    expect(refused).toBeTypeOf('function');
  });

  it('stays on Advanced Trade v3: v3 balances, no v2 currency calls, one request per balance', async () => {
    const client = await createCoinbaseClient(creds, { baseUrl: sandbox.url });
    expect(client.options.fetchBalance).toBe('v3PrivateGetBrokerageAccounts');
    expect(client.has.fetchCurrencies).toBe(false);
    const before = sandbox.requests.length;
    await client.fetchBalance();
    const paths = sandbox.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.ok}`);
    expect(paths.every((p) => p.includes(' /api/v3/brokerage/') && p.endsWith(' true'))).toBe(true);
    expect(paths).toContain('GET /api/v3/brokerage/accounts true');
    // Control: ccxt's own default would have asked Coinbase App v2 for the balance.
    const plain = new (await import('ccxt')).coinbase({});
    expect(plain.options.fetchBalance).toBe('v2PrivateGetAccounts');
  });

  it('merges ccxt options over the v3 settings one level deep', async () => {
    const client = await createCoinbaseClient(creds, { ccxt: { options: { brokerId: 'mine' } } });
    expect(client.options.brokerId).toBe('mine');
    expect(client.options.fetchBalance).toBe('v3PrivateGetBrokerageAccounts');
  });

  it.each([[{ sandbox: true }], [{ testnet: true }]])(
    '%o selects the Advanced Trade sandbox host; baseUrl still wins',
    async (mode) => {
      const live = await createCoinbaseClient(creds);
      expect((live.urls.api as { rest: string }).rest).toBe('https://api.coinbase.com');
      const test = await createCoinbaseClient(creds, mode);
      expect((test.urls.api as { rest: string }).rest).toBe(`https://${COINBASE_SANDBOX_HOST}`);
      const based = await createCoinbaseClient(creds, { ...mode, baseUrl: sandbox.url });
      expect((based.urls.api as { rest: string }).rest).toBe(sandbox.url);
    },
  );

  it('refuses demo: Coinbase has no demo trading', async () => {
    await expect(createCoinbaseClient(creds, { demo: true })).rejects.toThrow(
      'Coinbase has no demo environment',
    );
  });

  it('signs an ECDSA key with ES256 and an Ed25519 key with EdDSA, both accepted by the sandbox', async () => {
    const ecdsa = {
      apiKey:
        'organizations/0a1b2c3d-0000-4000-8000-00000000c0de/apiKeys/c0ffee00-1111-4111-8111-0000000c11e2',
      apiSecret: cdpKeySecret('CANARYSECRETcbclientecdsa000000002', 'ec-p256'),
    };
    const probe = await startSandbox({
      keys: [
        { exchange: 'coinbase', ...key },
        { exchange: 'coinbase', ...ecdsa },
      ],
    });
    try {
      for (const k of [key, ecdsa]) {
        const c = getCredentials('coinbase', {
          env: { COINBASE_API_KEY: k.apiKey, COINBASE_API_SECRET: k.apiSecret },
        });
        await expect(verifyCoinbaseKey(c, { baseUrl: probe.url })).resolves.toMatchObject({
          exchange: 'coinbase',
        });
      }
      expect(probe.requests.map((r) => r.ok)).toEqual([true, true]);
    } finally {
      await probe.close();
    }
  });
});
