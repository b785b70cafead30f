import { getCredentials, type ValidatedCredentials } from '@exkeys/credentials';
import type { bybit } from 'ccxt';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createBybitClient, updateBybitClient, verifyBybitKey } from './index.js';

const creds = getCredentials('bybit', {
  env: {
    BYBIT_API_KEY: 'CANARYKEYbybit00001',
    BYBIT_API_SECRET: 'CANARYSECRETbybit0000000000000000000001',
  },
});

describe('createBybitClient', () => {
  it('takes only validated Bybit credentials, at compile time', () => {
    expectTypeOf(createBybitClient).parameter(0).toEqualTypeOf<ValidatedCredentials<'bybit'>>();
    expectTypeOf(verifyBybitKey).parameter(0).toEqualTypeOf<ValidatedCredentials<'bybit'>>();
    expectTypeOf(createBybitClient).returns.resolves.toEqualTypeOf<bybit>();
    expectTypeOf(updateBybitClient).parameter(0).toEqualTypeOf<bybit>();
    expectTypeOf(updateBybitClient).parameter(1).toEqualTypeOf<ValidatedCredentials<'bybit'>>();
    const refused = (okx: ValidatedCredentials<'okx'>) => {
      // @ts-expect-error a plain object is not ValidatedCredentials
      void createBybitClient({
        exchange: 'bybit',
        profile: 'default',
        apiKey: 'k',
        apiSecret: 's',
      });
      // @ts-expect-error OKX credentials are not Bybit credentials
      void verifyBybitKey(okx);
      // @ts-expect-error OKX credentials cannot be swapped into a Bybit client
      updateBybitClient({} as bybit, okx);
    };
    expect(refused).toBeTypeOf('function');
  });

  it('selects the production, testnet (sandbox mode) and demo-trading origins', async () => {
    const origin = (client: bybit) => client.implodeHostname(String(client.urls.api.private));
    expect(origin(await createBybitClient(creds))).toBe('https://api.bybit.com');
    expect(origin(await createBybitClient(creds, { testnet: true }))).toBe(
      'https://api-testnet.bybit.com',
    );
    const demo = await createBybitClient(creds, { demo: true });
    expect(origin(demo)).toBe('https://api-demo.bybit.com');
    expect(demo.options.enableDemoTrading).toBe(true);
  });

  it('signs requests for the baseUrl origin with the real /v5 path', async () => {
    const client = await createBybitClient(creds, { demo: true, baseUrl: 'http://127.0.0.1:9' });
    const { url } = client.sign('v5/user/query-api', 'private', 'GET', {});
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:9\/v5\/user\/query-api\??$/);
  });
});
