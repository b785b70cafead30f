import { getCredentials, type ValidatedCredentials } from '@exkeys/credentials';
import { type Sandbox, startSandbox } from '@exkeys/sandbox';
import type { okx } from 'ccxt';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  createOkxClient,
  type OkxClientOptions,
  type OkxRegion,
  updateOkxClient,
  verifyOkxKey,
} from './index.js';

const key = {
  apiKey: '0c0ffee0-cafe-4bad-8bed-0000000000a1',
  apiSecret: 'CANARYSECRET0KX00000000000000001',
  passphrase: 'CANARYPASSokx01',
};
const creds = getCredentials('okx', {
  env: {
    OKX_API_KEY: key.apiKey,
    OKX_API_SECRET: key.apiSecret,
    OKX_API_PASSPHRASE: key.passphrase,
  },
});

describe('createOkxClient', () => {
  it('takes only validated OKX credentials, at compile time', () => {
    expectTypeOf(createOkxClient).parameter(0).toEqualTypeOf<ValidatedCredentials<'okx'>>();
    expectTypeOf(verifyOkxKey).parameter(0).toEqualTypeOf<ValidatedCredentials<'okx'>>();
    expectTypeOf(createOkxClient).returns.resolves.toEqualTypeOf<okx>();
    expectTypeOf(updateOkxClient).parameter(0).toEqualTypeOf<okx>();
    expectTypeOf(updateOkxClient).parameter(1).toEqualTypeOf<ValidatedCredentials<'okx'>>();
    const refused = (binance: ValidatedCredentials<'binance'>) => {
      // @ts-expect-error Binance credentials are not OKX credentials
      void verifyOkxKey(binance);
      // @ts-expect-error a plain object is not ValidatedCredentials, even with a passphrase
      void createOkxClient({
        exchange: 'okx',
        profile: 'default',
        apiKey: 'k',
        apiSecret: 's',
        passphrase: 'p',
      });
    };
    expect(refused).toBeTypeOf('function');
  });

  it('passes the passphrase to ccxt as its password', async () => {
    const client = await createOkxClient(creds);
    expect(client.password).toBe(key.passphrase);
  });

  it.each([['demo'], ['testnet']])(
    '%s keeps the OKX URLs and adds the x-simulated-trading header',
    async (mode) => {
      const live = await createOkxClient(creds);
      const demo = await createOkxClient(creds, { [mode]: true });
      expect(live.headers['x-simulated-trading']).toBeUndefined();
      expect(demo.headers['x-simulated-trading']).toBe('1');
      expect(demo.urls.api).toEqual(live.urls.api);
      expect(demo.implodeHostname(String(demo.urls.api.rest))).toBe('https://www.okx.com');
    },
  );
});

describe('OKX region', () => {
  it.each([
    [undefined, 'https://www.okx.com'],
    ['global', 'https://www.okx.com'],
    ['eea', 'https://eea.okx.com'],
    ['us', 'https://us.okx.com'],
  ] as const)('region %s talks to %s, in demo trading too', async (region, origin) => {
    for (const demo of [false, true]) {
      const client = await createOkxClient(creds, { ...(region ? { region } : {}), demo });
      expect(client.implodeHostname(String(client.urls.api.rest))).toBe(origin);
    }
  });

  it('lets baseUrl win over region, and refuses an unknown region', async () => {
    const client = await createOkxClient(creds, { region: 'eea', baseUrl: 'http://127.0.0.1:1' });
    expect(client.implodeHostname(String(client.urls.api.rest))).toBe('http://127.0.0.1:1');
    await expect(createOkxClient(creds, { region: 'eu' as unknown as OkxRegion })).rejects.toThrow(
      /Unknown OKX region "eu": use 'global'.*'eea' \(my\.okx\.com\)/,
    );
  });

  it('is an OKX option only, at compile time', () => {
    expectTypeOf<OkxClientOptions['region']>().toEqualTypeOf<OkxRegion | undefined>();
    expectTypeOf<OkxRegion>().toEqualTypeOf<'global' | 'eea' | 'us'>();
    const wrong = () => {
      // @ts-expect-error regions are global, eea and us
      void createOkxClient(creds, { region: 'eu' });
      // @ts-expect-error verifyOkxKey takes the same options
      void verifyOkxKey(creds, { region: 'asia' });
    };
    expect(wrong).toBeTypeOf('function');
  });
});

describe('OKX demo trading against the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ keys: [{ exchange: 'okx', ...key, environment: 'demo' }] });
  });
  afterAll(() => sandbox.close());

  it('sends the simulated-trading header on the real /api/v5 path', async () => {
    const lines: string[] = [];
    const spy = vi
      .spyOn(console, 'log')
      .mockImplementation((line: string) => void lines.push(line));
    try {
      const report = await verifyOkxKey(creds, {
        demo: true,
        baseUrl: sandbox.url,
        ccxt: { verbose: true },
      });
      expect(report.permissions.trade).toBe(true);
    } finally {
      spy.mockRestore();
    }
    const request = lines.find((line) => line.startsWith('fetch Request'));
    expect(request).toContain(`${sandbox.url}/api/v5/account/config`);
    expect(request).toMatch(/'x-simulated-trading': '1'/);
    expect(request).toMatch(/'OK-ACCESS-PASSPHRASE': '\[redacted\]'/);
    expect(lines.join('\n')).not.toMatch(/CANARY(SECRET|PASS)/);
  });
});
