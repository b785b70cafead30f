import { CredentialsError, getCredentials, type ValidatedCredentials } from '@exkeys/credentials';
import type { bybit } from 'ccxt';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createBybitClient, verifyBybitKey } from './index.js';

const env = {
  BYBIT_API_KEY: 'CANARYKEYbybit00001',
  BYBIT_API_SECRET: 'CANARYSECRETbybit0000000000000000000001',
  OKX_API_KEY: '1a2b3c4d-0000-4000-8000-00000000c0de',
  OKX_API_SECRET: 'CAFEBABECAFEBABECAFEBABECAFEBABE',
  OKX_API_PASSPHRASE: 'CANARYPASSPHRASE1',
};
const creds = getCredentials('bybit', { env });

describe('createBybitClient', () => {
  it('takes only validated Bybit credentials, at compile time', () => {
    expectTypeOf(createBybitClient).parameter(0).toEqualTypeOf<ValidatedCredentials<'bybit'>>();
    expectTypeOf(createBybitClient).returns.resolves.toEqualTypeOf<bybit>();
    expectTypeOf(verifyBybitKey).parameter(0).toEqualTypeOf<ValidatedCredentials<'bybit'>>();
    expectTypeOf<ValidatedCredentials<'okx'>>().not.toExtend<ValidatedCredentials<'bybit'>>();
    expectTypeOf<{
      exchange: 'bybit';
      profile: string;
      apiKey: string;
      apiSecret: string;
    }>().not.toExtend<ValidatedCredentials<'bybit'>>();
  });

  it('refuses a plain object and credentials of another exchange at run time', async () => {
    const plain = {
      exchange: 'bybit',
      profile: 'default',
      apiKey: env.BYBIT_API_KEY,
      apiSecret: 'x',
    };
    // @ts-expect-error a plain object is not ValidatedCredentials
    const notValidated = await createBybitClient(plain).catch((error: unknown) => error);
    expect(CredentialsError.isInstance(notValidated) && notValidated.code).toBe('not-validated');

    const okx = getCredentials('okx', { env });
    // @ts-expect-error OKX credentials are not Bybit credentials
    const wrong = await createBybitClient(okx).catch((error: unknown) => error);
    expect(CredentialsError.isInstance(wrong) && wrong.code).toBe('wrong-exchange');
    // @ts-expect-error the verifier has the same guard
    const wrongVerify = await verifyBybitKey(okx).catch((error: unknown) => error);
    expect(CredentialsError.isInstance(wrongVerify) && wrongVerify.code).toBe('wrong-exchange');
  });

  it('refuses credentials smuggled in through the ccxt options', async () => {
    const error = await createBybitClient(creds, { ccxt: { secret: 'other' } }).catch(
      (e: unknown) => e,
    );
    expect(CredentialsError.isInstance(error) && error.code).toBe('not-validated');
  });

  it('builds a ccxt bybit client with the credentials, hiding the secret from inspection', async () => {
    const client = await createBybitClient(creds, { ccxt: { timeout: 1234 } });
    expect(client.id).toBe('bybit');
    expect(client.apiKey).toBe(env.BYBIT_API_KEY);
    expect(client.secret).toBe(env.BYBIT_API_SECRET);
    expect(client.timeout).toBe(1234);
    const { inspect } = await import('node:util');
    expect(inspect(client, { depth: 1 })).not.toContain(env.BYBIT_API_SECRET);
    expect(Object.keys(client)).not.toContain('secret');
  });

  it('selects the production, testnet and demo origins', async () => {
    const live = await createBybitClient(creds);
    const testnet = await createBybitClient(creds, { testnet: true });
    const demo = await createBybitClient(creds, { demo: true });
    const origin = (client: bybit) => client.implodeHostname(String(client.urls.api.private));
    expect(origin(live)).toBe('https://api.bybit.com');
    expect(origin(testnet)).toBe('https://api-testnet.bybit.com');
    expect(origin(demo)).toBe('https://api-demo.bybit.com');
    await expect(createBybitClient(creds, { testnet: true, demo: true })).rejects.toThrow(
      TypeError,
    );
  });

  it('replaces the origin of every API group after the testnet switch, and only with http(s)', async () => {
    const client = await createBybitClient(creds, {
      testnet: true,
      baseUrl: 'http://127.0.0.1:9/',
    });
    const urls = Object.values(client.urls.api as Record<string, string>);
    expect(urls.length).toBeGreaterThan(1);
    for (const url of urls) expect(url).toBe('http://127.0.0.1:9');
    const sign = client.sign('v5/market/time', 'public', 'GET', {});
    expect(sign.url).toBe('http://127.0.0.1:9/v5/market/time');
    await expect(createBybitClient(creds, { baseUrl: 'file:///etc/passwd' })).rejects.toThrow(
      /http/,
    );
    await expect(createBybitClient(creds, { baseUrl: 'not a url' })).rejects.toThrow(TypeError);
  });
});
