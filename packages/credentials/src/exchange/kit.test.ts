// The exchange kit on its own, against the real loopback sandbox and ccxt, through a minimal
// Bybit-shaped spec written here: what every exchange package gets for free, tested once.
import { inspect } from 'node:util';
import { type Sandbox, type SandboxKey, startSandbox } from '@exkeys/sandbox';
import type { bybit } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsError, KeyVerificationError } from '../errors.js';
import { getCredentials } from '../retrieve.js';
import { expectVerificationFailure } from '../testing/index.js';
import type { ValidatedCredentials } from '../validated-credentials.js';
import { ccxtSource } from './ccxt-loader.js';
import type { ExchangeClientOptions } from './client-options.js';
import { sealClient } from './client-privacy.js';
import { defineExchange } from './define-exchange.js';
import type { ErrorTable, ExchangeSpec, KeyFacts, Zod } from './exchange-spec.js';
import { classifyPermission, type PermissionTable, summarizeGrants } from './permission-table.js';

const canary = (role: string, n: number) => `CANARY${role}KIT${String(n).padStart(24, '0')}`;
const key = (n: number, extra: Partial<SandboxKey> = {}): SandboxKey => ({
  exchange: 'bybit',
  apiKey: canary('KEY', n),
  apiSecret: canary('SECRET', n),
  ...extra,
});
const keys = {
  trade: key(1),
  readOnly: key(2, { permissions: { trade: false } }),
  withdraw: key(3, { permissions: { withdraw: true } }),
  blocked: key(4, { ips: ['203.0.113.7'] }),
  expired: key(5, { expiresAt: '2020-01-01T00:00:00Z' }),
  limited: key(6, { failWith: 'rate-limited' }),
  unknownGrant: key(7, { nativePermissions: { Spot: ['SpotTrade'], Mystery: ['Thing'] } }),
  garbled: key(8, { keyInfoBody: { retCode: 0, retMsg: 'OK', result: { readOnly: 'maybe' } } }),
  wellFormed: key(9, {
    keyInfoBody: { retCode: 0, retMsg: 'OK', result: { readOnly: 1, ips: ['*'], permissions: {} } },
  }),
  demo: key(10, { environment: 'demo' }),
};

const TABLE: PermissionTable = {
  'Spot.SpotTrade': {
    class: 'trade',
    doc: 'https://bybit-exchange.github.io/docs/v5/user/apikey-info',
  },
  'ContractTrade.Order': {
    class: 'trade',
    doc: 'https://bybit-exchange.github.io/docs/v5/user/apikey-info',
  },
  'ContractTrade.Position': {
    class: 'trade',
    doc: 'https://bybit-exchange.github.io/docs/v5/user/apikey-info',
  },
  'Options.OptionsTrade': {
    class: 'trade',
    doc: 'https://bybit-exchange.github.io/docs/v5/user/apikey-info',
  },
  'Derivatives.DerivativesTrade': {
    class: 'trade',
    doc: 'https://bybit-exchange.github.io/docs/v5/user/apikey-info',
  },
  'Exchange.ExchangeHistory': {
    class: 'read',
    doc: 'https://bybit-exchange.github.io/docs/v5/user/apikey-info',
  },
  'Wallet.Withdraw': {
    class: 'withdraw',
    doc: 'https://bybit-exchange.github.io/docs/v5/user/apikey-info',
  },
};

/** The smallest reader of `GET /v5/user/query-api`: zod for the shape, the table for the grants. */
function readKeyInfo(z: Zod, response: unknown): KeyFacts {
  const { result } = z
    .object({
      result: z.object({
        readOnly: z.coerce.number().int().min(0).max(1),
        ips: z.array(z.string()),
        permissions: z.record(z.string(), z.array(z.string())),
      }),
    })
    .parse(response);
  const names = Object.entries(result.permissions).flatMap(([group, values]) =>
    values.map((value) => `${group}.${value}`),
  );
  return {
    permissions: summarizeGrants(names.map((name) => classifyPermission(TABLE, name))),
    ipRestricted: !result.ips.includes('*'),
    expiresAt: null,
  };
}

const LEAD = 'KIT-LEAD: check the environment first. If it matches,';
const HINT = 'KIT-HINT: the whitelist is edited on the API management page.';
const ERRORS: ErrorTable = {
  '10002': 'clock-skew',
  '10003': { reason: 'invalid-key', lead: LEAD },
  '10004': 'bad-signature',
  '10006': 'rate-limited',
  '10010': { reason: 'ip-not-allowed', hint: HINT },
  '33004': 'expired',
};
const FALLBACK_WARNING = 'KIT-FALLBACK: only GET /v5/account/info was checked.';
const RESET = 'x-bapi-limit-reset-timestamp';

const spec: ExchangeSpec<'bybit', bybit> = {
  id: 'bybit',
  name: 'Bybit',
  ccxt: ccxtSource(import.meta.url, () => import('ccxt')),
  modes: { testnet: 'sandbox-mode', demo: 'demo-trading' },
  keyInfo: {
    endpoint: 'GET /v5/user/query-api',
    call: (client) => client.privateGetV5UserQueryApi(),
    read: readKeyInfo,
  },
  fallback: {
    endpoint: 'GET /v5/account/info',
    applies: (client) => client.options.enableDemoTrading === true,
    call: (client) => client.privateGetV5AccountInfo(),
    read: () => ({
      permissions: { read: true, trade: true, withdraw: false, transfer: false, grants: [] },
      ipRestricted: false,
      expiresAt: null,
    }),
    warning: FALLBACK_WARNING,
  },
  errors: ERRORS,
  retryAfter: (headers, now) =>
    headers[RESET] === undefined ? undefined : Number(headers[RESET]) - now,
};
const kit = defineExchange(spec);

const credsOf = (k: SandboxKey, change: Partial<SandboxKey> = {}) => {
  const v = { ...k, ...change };
  return getCredentials('bybit', {
    env: { BYBIT_API_KEY: v.apiKey, BYBIT_API_SECRET: v.apiSecret },
  });
};
const okxCreds = () =>
  getCredentials('okx', {
    env: {
      OKX_API_KEY: '1a2b3c4d-0000-4000-8000-00000000c0de',
      OKX_API_SECRET: canary('SECRET', 90),
      OKX_API_PASSPHRASE: canary('PASS', 90),
    },
  });
const assertNoCanary = (text: string) => {
  expect(text).not.toMatch(/CANARY(SECRET|PASS)/);
  expect(text).not.toMatch(/CANARYKEYKIT0/);
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a refusal, got success');
    },
    (error: unknown) => error,
  );
const verificationFailure = (promise: Promise<unknown>) =>
  expectVerificationFailure(promise, assertNoCanary);

let live: Sandbox;
let demo: Sandbox;
beforeAll(async () => {
  [live, demo] = await Promise.all([
    startSandbox({ keys: Object.values(keys) }),
    startSandbox({ keys: [keys.demo], environment: 'demo' }),
  ]);
});
afterAll(() => Promise.all([live.close(), demo.close()]));
const local = (extra: ExchangeClientOptions = {}): ExchangeClientOptions => ({
  baseUrl: live.url,
  ...extra,
});
const callsDuring = async (sandbox: Sandbox, run: () => Promise<unknown>) => {
  const before = sandbox.requests.length;
  await run();
  return sandbox.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.ok}`);
};

describe('createExchangeClient', () => {
  it('builds a client from validated credentials of its exchange (control)', async () => {
    const client = await kit.createClient(credsOf(keys.trade));
    expect(client.apiKey).toBe(keys.trade.apiKey);
    expect(client.secret).toBe(keys.trade.apiSecret);
  });

  it('refuses a plain object, another exchange and credentials smuggled in the ccxt options', async () => {
    const code = async (promise: Promise<unknown>) => {
      const error = await failure(promise);
      if (!CredentialsError.isInstance(error)) throw error;
      assertNoCanary(inspect(error) + error.message);
      return error.code;
    };
    const plain = { ...credsOf(keys.trade) } as ValidatedCredentials<'bybit'>;
    expect(await code(kit.createClient(plain))).toBe('not-validated');
    const foreign = okxCreds() as unknown as ValidatedCredentials<'bybit'>;
    expect(await code(kit.createClient(foreign))).toBe('wrong-exchange');
    expect(await code(kit.verifyKey(foreign, local()))).toBe('wrong-exchange');
    for (const field of ['secret', 'apiKey', 'password', 'privateKey']) {
      const smuggled = { ccxt: { [field]: keys.trade.apiSecret } };
      expect(await code(kit.createClient(credsOf(keys.trade), smuggled)), field).toBe(
        'not-validated',
      );
    }
    expect(live.requests.filter((r) => r.keyPreview !== null)).toEqual([]);
  });

  it('puts baseUrl in front of every API group, after the environment switch', async () => {
    const own = await kit.createClient(credsOf(keys.trade));
    const groups = Object.entries(own.urls.api as Record<string, string>);
    // Control: without baseUrl the client talks to Bybit.
    expect(groups.length).toBeGreaterThan(0);
    for (const [, url] of groups) expect(url).toMatch(/^https:\/\/api\.(bybit\.com|\{hostname\})/);
    for (const mode of [{}, { testnet: true }, { demo: true }]) {
      const based = await kit.createClient(credsOf(keys.trade), {
        ...mode,
        baseUrl: `${live.url}/x/`,
      });
      for (const [group, url] of Object.entries(based.urls.api as Record<string, string>)) {
        expect(url, group).toMatch(new RegExp(`^${live.url}/x(/|$)`));
      }
    }
  });

  it('refuses base URLs other than http(s), both environments, and one the exchange lacks', async () => {
    const creds = credsOf(keys.trade);
    for (const baseUrl of ['file:///etc/passwd', 'not a url', 'http://u:p@127.0.0.1']) {
      await expect(kit.createClient(creds, { baseUrl })).rejects.toThrow(TypeError);
    }
    await expect(kit.createClient(creds, { testnet: true, demo: true })).rejects.toThrow(
      /either testnet or demo/,
    );
    const noDemo = defineExchange({ ...spec, modes: { testnet: 'sandbox-mode' } });
    await expect(noDemo.createClient(creds, { demo: true })).rejects.toThrow(
      'Bybit has no demo environment',
    );
    await expect(noDemo.createClient(creds, { testnet: true })).resolves.toBeTruthy();
  });

  it('keeps ccxt verbose output free of the secret', async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => lines.push(args.map(String).join(' '));
    try {
      const client = await kit.createClient(
        credsOf(keys.trade),
        local({ ccxt: { verbose: true } }),
      );
      await client.privateGetV5UserQueryApi();
    } finally {
      console.log = log;
    }
    expect(lines.join('\n')).toContain('/v5/user/query-api');
    assertNoCanary(lines.join('\n'));
  });
});

describe('sealClient', () => {
  it('keeps credentials readable and writable for ccxt, and out of every printed form', () => {
    const creds = credsOf(keys.trade);
    const client: Record<string, unknown> = {
      last_request_headers: { 'X-BAPI-API-KEY': keys.trade.apiKey, 'X-BAPI-SIGN': 'abc' },
      last_request_url: `https://h/?secret=${keys.trade.apiSecret}`,
    };
    sealClient(client, 'bybit', creds);
    expect(client.apiKey).toBe(keys.trade.apiKey);
    expect(client.secret).toBe(keys.trade.apiSecret);
    expect(Object.keys(client)).toEqual([]);
    client.last_request_body = `{"echo":"${keys.trade.apiSecret}"}`;
    // Control: the records are still there, and read back redacted.
    expect(client.last_request_headers).toMatchObject({ 'X-BAPI-SIGN': 'abc' });
    expect(String(client.last_request_body)).toContain('echo');
    const forms = [
      inspect(client),
      inspect(client, { showHidden: true, depth: 4 }),
      JSON.stringify(client),
      JSON.stringify({ ...client }),
      inspect(client.last_request_headers),
      String(client.last_request_url),
      String(client.last_request_body),
    ];
    for (const form of forms) assertNoCanary(form);
    expect(inspect(client)).toBe(`ccxt.bybit client (key ${keys.trade.apiKey.slice(0, 6)}…)`);
    client.secret = 'rotated';
    expect(client.secret).toBe('rotated');
  });
});

describe('verifyExchangeKey', () => {
  it.each([
    ['a trade key', keys.trade, { trade: true, withdraw: false }],
    ['a read-only key', keys.readOnly, { trade: false, withdraw: false }],
    ['a withdraw key', keys.withdraw, { trade: true, withdraw: true }],
  ])('reports %s from exactly one call', async (_name, k, expected) => {
    let report: unknown;
    const calls = await callsDuring(live, async () => {
      report = await kit.verifyKey(credsOf(k), local());
    });
    expect(calls).toEqual(['GET /v5/user/query-api true']);
    expect(report).toMatchObject({
      exchange: 'bybit',
      profile: 'default',
      permissions: { read: true, transfer: false, ...expected },
      ipRestricted: false,
      expiresAt: null,
      expiresInDays: null,
      warnings: [],
    });
    assertNoCanary(JSON.stringify(report) + inspect(report, { depth: 6 }));
  });

  it('classifies a permission outside the table as unknown', async () => {
    const report = await kit.verifyKey(credsOf(keys.unknownGrant), local());
    expect(report.permissions.grants).toEqual([
      { name: 'Spot.SpotTrade', class: 'trade' },
      { name: 'Mystery.Thing', class: 'unknown' },
    ]);
  });

  it('maps codes through the error table: reason, exchange code, lead before and hint after the advice', async () => {
    const unknown = await verificationFailure(
      kit.verifyKey(credsOf(keys.trade, { apiKey: canary('KEY', 99) }), local()),
    );
    expect([unknown.reason, unknown.exchangeCode, unknown.exchange]).toEqual([
      'invalid-key',
      '10003',
      'bybit',
    ]);
    expect(unknown.message).toMatch(
      /^Bybit refused the key \(error 10003\): KIT-LEAD: check the environment first\. If it matches, the API key is unknown/,
    );
    expect(unknown.message).toContain('BYBIT_API_KEY');

    const blocked = await verificationFailure(kit.verifyKey(credsOf(keys.blocked), local()));
    expect([blocked.reason, blocked.exchangeCode]).toEqual(['ip-not-allowed', '10010']);
    expect(blocked.message).toMatch(
      /Add this IP to the whitelist.* KIT-HINT: the whitelist is edited on the API management page\.$/s,
    );
    expect(blocked.message).not.toContain('KIT-LEAD');

    const signed = await verificationFailure(
      kit.verifyKey(credsOf(keys.trade, { apiSecret: canary('SECRET', 99) }), local()),
    );
    expect([signed.reason, signed.exchangeCode]).toEqual(['bad-signature', '10004']);
    expect(signed.message).not.toMatch(/KIT-/);

    const expired = await verificationFailure(kit.verifyKey(credsOf(keys.expired), local()));
    expect([expired.reason, expired.exchangeCode]).toEqual(['expired', '33004']);
  });

  it('without a table entry falls back to the ccxt error class (control: the table decides)', async () => {
    const { '10004': _, ...rest } = ERRORS;
    const bare = defineExchange({ ...spec, errors: rest });
    const error = await verificationFailure(
      bare.verifyKey(credsOf(keys.trade, { apiSecret: canary('SECRET', 98) }), local()),
    );
    // ccxt maps 10004 to AuthenticationError: without the table's bad-signature it is invalid-key.
    expect([error.reason, error.exchangeCode]).toEqual(['invalid-key', '10004']);
  });

  it('fails closed on an answer it cannot read, naming the endpoint and field, never a value', async () => {
    const error = await verificationFailure(kit.verifyKey(credsOf(keys.garbled), local()));
    expect(error.reason).toBe('unreadable-response');
    expect([error.endpoint, error.field]).toEqual(['GET /v5/user/query-api', 'result.readOnly']);
    expect(error.message).toContain('the field result.readOnly is missing or malformed');
    expect(error.message).not.toContain('maybe');
    // Control: a raw body of the expected shape is read.
    const report = await kit.verifyKey(credsOf(keys.wellFormed), local());
    expect(report.permissions).toMatchObject({ read: true, trade: false, grants: [] });
  });

  it('reports rate-limited with the wait the exchange asks for, from the spec’s own header', async () => {
    const error = await verificationFailure(kit.verifyKey(credsOf(keys.limited), local()));
    expect([error.reason, error.exchangeCode]).toEqual(['rate-limited', '10006']);
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(2000);
    expect(error.message).toMatch(
      /^Bybit rate-limited the request \(error 10006\): .*Wait, then retry.*Bybit asks to wait [12] s\.$/,
    );
    // Control: without the spec's reader, Bybit's answer carries no Retry-After to go by.
    const plain = defineExchange({ ...spec, retryAfter: undefined });
    const unsaid = await verificationFailure(plain.verifyKey(credsOf(keys.limited), local()));
    expect([unsaid.reason, unsaid.retryAfterMs]).toEqual(['rate-limited', undefined]);
    expect(unsaid.message).not.toContain('asks to wait');
  });

  it('reports network when nothing answers, naming the origin', async () => {
    const error = await verificationFailure(
      kit.verifyKey(credsOf(keys.trade), { baseUrl: 'http://127.0.0.1:9' }),
    );
    expect([error.reason, error.exchangeCode]).toEqual(['network', undefined]);
    expect(error.message).toContain('Could not reach Bybit at http://127.0.0.1:9.');
  });

  it('calls the fallback endpoint, once and with its warning, where it applies', async () => {
    const options = { demo: true, baseUrl: demo.url };
    let report: Awaited<ReturnType<typeof kit.verifyKey>> | undefined;
    const calls = await callsDuring(demo, async () => {
      report = await kit.verifyKey(credsOf(keys.demo), options);
    });
    expect(calls).toEqual(['GET /v5/account/info true']);
    expect(report?.warnings).toEqual([FALLBACK_WARNING]);
    // Control: without the fallback the demo host answers query-api with 10032, unmapped here.
    const without = defineExchange({ ...spec, fallback: undefined });
    const missing = await failure(without.verifyKey(credsOf(keys.demo), options));
    expect(KeyVerificationError.isInstance(missing)).toBe(false);
    expect((missing as Error).message).toContain('10032');
    assertNoCanary(inspect(missing, { depth: 6 }));
  });
});
