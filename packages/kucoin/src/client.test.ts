import { createHmac } from 'node:crypto';
import { getCredentials, type ValidatedCredentials } from '@exkeys/credentials';
import { type Sandbox, startSandbox } from '@exkeys/sandbox';
import type { kucoin } from 'ccxt';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  createKucoinClient,
  kucoinRetryAfter,
  updateKucoinClient,
  verifyKucoinKey,
} from './index.js';

const key = {
  apiKey: '0c0ffee0cafe4bad8bed00a1',
  apiSecret: 'CANARYSECRETkucoin-0000-0000-0000-000000000001',
  passphrase: 'CANARYPASSkucoin01',
};
const creds = getCredentials('kucoin', {
  env: {
    KUCOIN_API_KEY: key.apiKey,
    KUCOIN_API_SECRET: key.apiSecret,
    KUCOIN_API_PASSPHRASE: key.passphrase,
  },
});

describe('createKucoinClient', () => {
  it('takes only validated KuCoin credentials, at compile time', () => {
    expectTypeOf(createKucoinClient).parameter(0).toEqualTypeOf<ValidatedCredentials<'kucoin'>>();
    expectTypeOf(verifyKucoinKey).parameter(0).toEqualTypeOf<ValidatedCredentials<'kucoin'>>();
    expectTypeOf(createKucoinClient).returns.resolves.toEqualTypeOf<kucoin>();
    expectTypeOf(updateKucoinClient).parameter(0).toEqualTypeOf<kucoin>();
    expectTypeOf(updateKucoinClient).parameter(1).toEqualTypeOf<ValidatedCredentials<'kucoin'>>();
    const refused = (okx: ValidatedCredentials<'okx'>) => {
      // @ts-expect-error OKX credentials are not KuCoin credentials, though both have a passphrase
      void verifyKucoinKey(okx);
      // @ts-expect-error a plain object is not ValidatedCredentials
      void createKucoinClient({
        exchange: 'kucoin',
        profile: 'default',
        apiKey: 'k',
        apiSecret: 's',
        passphrase: 'p',
      });
    };
    expect(refused).toBeTypeOf('function');
  });

  it('passes the passphrase to ccxt as its password, and talks to api.kucoin.com', async () => {
    const client = await createKucoinClient(creds);
    expect(client.password).toBe(key.passphrase);
    expect(client.urls.api).toMatchObject({
      public: 'https://api.kucoin.com',
      private: 'https://api.kucoin.com',
      futuresPrivate: 'https://api-futures.kucoin.com',
    });
  });

  it.each([['testnet'], ['demo']])('refuses %s: KuCoin has no test environment', async (mode) => {
    await expect(createKucoinClient(creds, { [mode]: true })).rejects.toThrow(
      new RegExp(`KuCoin has no ${mode} environment`),
    );
  });

  it('reads the wait of a rate-limited answer from gw-ratelimit-reset (ms)', () => {
    expect(kucoinRetryAfter({ 'gw-ratelimit-reset': '1500' })).toBe(1500);
    expect(kucoinRetryAfter({ 'gw-ratelimit-reset': 'soon' })).toBeUndefined();
    expect(kucoinRetryAfter({ 'gw-ratelimit-reset': '-1' })).toBeUndefined();
    expect(kucoinRetryAfter({})).toBeUndefined();
  });
});

describe('KuCoin signing against the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ keys: [{ exchange: 'kucoin', ...key }] });
  });
  afterAll(() => sandbox.close());

  it('sends KC-API-KEY-VERSION 2 with the passphrase signed by the secret, redacted in verbose output', async () => {
    const lines: string[] = [];
    const spy = vi
      .spyOn(console, 'log')
      .mockImplementation((line: string) => void lines.push(line));
    try {
      const report = await verifyKucoinKey(creds, {
        baseUrl: sandbox.url,
        ccxt: { verbose: true },
      });
      expect(report.permissions).toMatchObject({ read: true, trade: true, withdraw: false });
    } finally {
      spy.mockRestore();
    }
    const request = lines.find((line) => line.startsWith('fetch Request'));
    expect(request).toContain(`${sandbox.url}/api/v1/user/api-key`);
    expect(request).toMatch(/'KC-API-KEY-VERSION': '2'/);
    expect(request).toMatch(/'KC-API-PASSPHRASE': '\[redacted\]'/);
    const text = lines.join('\n');
    // Neither the passphrase nor its signed form (a value derived from the secret) is printed.
    const signed = createHmac('sha256', key.apiSecret).update(key.passphrase).digest('base64');
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/CANARY(SECRET|PASS)/);
    expect(text).not.toContain(signed);
  });

  it('keeps the signed passphrase out of the last request record, also after a key swap', async () => {
    const client = await createKucoinClient(creds, { baseUrl: sandbox.url });
    await client.privateGetUserApiKey();
    const headers = JSON.stringify(client.last_request_headers);
    expect(headers).toContain('KC-API-PASSPHRASE');
    const signed = createHmac('sha256', key.apiSecret).update(key.passphrase).digest('base64');
    expect(headers).not.toContain(signed);
    expect(headers).not.toMatch(/CANARY(SECRET|PASS)/);
  });
});
