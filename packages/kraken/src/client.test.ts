import { getCredentials, type ValidatedCredentials } from '@exkeys/credentials';
import { type Sandbox, startSandbox } from '@exkeys/sandbox';
import type { kraken } from 'ccxt';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createKrakenClient, updateKrakenClient, verifyKrakenKey } from './index.js';
import { nextNonce } from './nonce.js';

const key = {
  apiKey: 'CANARYkrakenCLIENTkey'.padEnd(56, '0'),
  apiSecret: 'CANARYSECRETkrakenCLIENT'.padEnd(88, 'A'),
};
const creds = getCredentials('kraken', {
  env: { KRAKEN_API_KEY: key.apiKey, KRAKEN_API_SECRET: key.apiSecret },
});

describe('createKrakenClient', () => {
  it('takes only validated Kraken credentials, at compile time', () => {
    expectTypeOf(createKrakenClient).parameter(0).toEqualTypeOf<ValidatedCredentials<'kraken'>>();
    expectTypeOf(verifyKrakenKey).parameter(0).toEqualTypeOf<ValidatedCredentials<'kraken'>>();
    expectTypeOf(createKrakenClient).returns.resolves.toEqualTypeOf<kraken>();
    expectTypeOf(updateKrakenClient).parameter(0).toEqualTypeOf<kraken>();
    expectTypeOf(updateKrakenClient).parameter(1).toEqualTypeOf<ValidatedCredentials<'kraken'>>();
    const refused = (okx: ValidatedCredentials<'okx'>) => {
      // @ts-expect-error OKX credentials are not Kraken credentials
      void verifyKrakenKey(okx);
      // @ts-expect-error a plain object is not ValidatedCredentials
      void createKrakenClient({
        exchange: 'kraken',
        profile: 'default',
        apiKey: 'k',
        apiSecret: 's',
      });
    };
    expect(refused).toBeTypeOf('function');
  });

  it('talks to api.kraken.com, and refuses testnet and demo: Kraken spot has neither', async () => {
    const client = await createKrakenClient(creds);
    expect(client.urls.api).toMatchObject({
      public: 'https://api.kraken.com',
      private: 'https://api.kraken.com',
    });
    for (const mode of ['testnet', 'demo'] as const) {
      await expect(createKrakenClient(creds, { [mode]: true })).rejects.toThrow(
        new RegExp(`Kraken has no ${mode} environment`),
      );
    }
  });

  it('draws the nonces of every client from one increasing counter, less timeDifference', async () => {
    const a = await createKrakenClient(creds);
    const b = await createKrakenClient(creds);
    const seen = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).nonce());
    for (let i = 1; i < seen.length; i += 1) {
      expect(seen[i]).toBeGreaterThan(seen[i - 1] as number);
    }
    const skewed = await createKrakenClient(creds, { ccxt: { options: { timeDifference: 1000 } } });
    const before = nextNonce();
    const value = skewed.nonce();
    expect(value).toBeGreaterThan(before - 1000);
    expect(value).toBeLessThanOrEqual(nextNonce() - 1000);
  });
});

describe('one key, several clients of one process, against the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ keys: [{ exchange: 'kraken', ...key }] });
  });
  afterAll(() => sandbox.close());

  it('never repeats a nonce between clients, where ccxt’s clock nonce can', async () => {
    const options = { baseUrl: sandbox.url, ccxt: { enableRateLimit: false } };
    const a = await createKrakenClient(creds, options);
    const b = await createKrakenClient(creds, options);
    const before = sandbox.requests.length;
    for (let i = 0; i < 20; i += 1) await (i % 2 === 0 ? a : b).privatePostBalance();
    await verifyKrakenKey(creds, options);
    const calls = sandbox.requests.slice(before);
    expect(calls).toHaveLength(21);
    expect(calls.filter((call) => !call.ok)).toEqual([]);
    // Control: a client whose nonce repeats (as two ccxt clocks within one millisecond would) is
    // refused by the sandbox with Kraken's answer.
    const fixed = await createKrakenClient(creds, {
      ...options,
      ccxt: { enableRateLimit: false, nonce: () => 1 },
    });
    await expect(fixed.privatePostBalance()).rejects.toThrow(/EAPI:Invalid nonce/);
  });
});
