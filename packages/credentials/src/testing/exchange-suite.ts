/**
 * The behaviour every exchange package must show against the loopback `@exkeys/sandbox`: each
 * package's tests call {@link describeExchangePackage} with its own tables, so the packages share
 * one suite. Registers vitest tests, so import it only from test files. Types are structural, so
 * the core depends on neither ccxt nor the sandbox.
 * @module
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExchangeClientOptions } from '../exchange/index.js';
import {
  CredentialsError,
  EXCHANGES,
  type ExchangeId,
  type KeyReport,
  type KeyVerificationReason,
} from '../index.js';
import { expectVerificationFailure } from './verdicts.js';

/** The sandbox key shape (`SandboxKey` of `@exkeys/sandbox`). */
export interface SuiteSandboxKey {
  exchange: ExchangeId;
  apiKey: string;
  apiSecret: string;
  passphrase?: string;
  permissions?: { read?: boolean; trade?: boolean; withdraw?: boolean };
  ips?: string[];
  expiresAt?: string | null;
}

/** The running sandbox (`Sandbox` of `@exkeys/sandbox`). */
export interface SuiteSandbox {
  url: string;
  requests: ReadonlyArray<{
    method: string;
    path: string;
    ok: boolean;
    errorCode: string | null;
    keyPreview: string | null;
  }>;
  close(): Promise<void>;
}

/** How the suite provokes each failure from the sandbox. */
export type Provocation =
  | 'unknown-key'
  | 'wrong-secret'
  | 'wrong-passphrase'
  | 'ip-not-whitelisted'
  | 'expired-key'
  | 'skewed-clock'
  | 'closed-port';

/** A package's client the suite can trade with (a subset of a ccxt client). */
export interface SuiteClient {
  urls: { api: unknown };
  apiKey?: unknown;
  secret?: unknown;
  password?: unknown;
  fetchBalance(): Promise<object>;
  fetchTicker(symbol: string): Promise<{ symbol?: string | undefined; last?: number | undefined }>;
  createOrder(
    symbol: string,
    type: 'limit',
    side: 'buy',
    amount: number,
    price: number,
  ): Promise<{ id?: string | undefined }>;
  cancelOrder(id: string, symbol: string): Promise<unknown>;
}

/** What an exchange package hands the suite. */
export interface ExchangeSuite<Creds> {
  exchange: SuiteSandboxKey['exchange'];
  /** `startSandbox` from `@exkeys/sandbox`. */
  startSandbox: (options: { keys: SuiteSandboxKey[] }) => Promise<SuiteSandbox>;
  /** The public step 3: `(env) => getCredentials('<exchange>', { env })`. */
  credentials: (env: Record<string, string>) => Creds;
  /** Validated credentials of another exchange, which the factory must refuse. */
  foreignCredentials: () => unknown;
  create: (creds: Creds, options?: ExchangeClientOptions) => Promise<SuiteClient>;
  verify: (creds: Creds, options?: ExchangeClientOptions) => Promise<KeyReport>;
  /** The package's `update<Exchange>Client`. */
  update: (client: SuiteClient, creds: Creds) => void;
  /** The path of the key-information endpoint, e.g. `/v5/user/query-api`. */
  keyInfoPath: string;
  /** The HTTP method of the key-information endpoint (Kraken's is a POST). @default 'GET' */
  keyInfoMethod?: 'GET' | 'POST';
  /** Whether the key-information endpoint tells the key's expiry. */
  reportsExpiry: boolean;
  /**
   * Whether the key-information endpoint tells the key's IP whitelist. When false (Coinbase), every
   * report must say `ipRestricted: false` and hold `unchecked: ['ip-whitelist']`.
   * @default true
   */
  reportsIpWhitelist?: boolean;
  /**
   * Turns the suite's canary secret text (`CANARYSECRET…`) into a secret the exchange signs with,
   * still holding the text where a leak would show it (Coinbase: a CDP key built around it, see
   * `cdpKeySecret` of `@exkeys/sandbox`). @default the text itself
   */
  secretOf?: (canaryText: string) => string;
  /** Each failure the exchange can produce, and the reason and exchange code expected. */
  failures: ReadonlyArray<{ provoke: Provocation; reason: KeyVerificationReason; code?: string }>;
  /** A limit order the sandbox accepts and leaves open. */
  order: { symbol: string; amount: number; price: number };
  /**
   * Whether the package has a `testnet` option. Without one (KuCoin, Kraken), the suite checks that
   * `testnet: true` is refused instead of testing `baseUrl` after the switch. @default true
   */
  testnet?: boolean;
}

const ADVICE: Record<KeyVerificationReason, RegExp> = {
  'invalid-key': /revoke it and generate a new key/,
  'bad-signature': /_API_SECRET is not the secret/,
  'wrong-passphrase': /Re-check [A-Z]+_API_PASSPHRASE/,
  'ip-not-allowed': /Add this IP to the whitelist/,
  expired: /has expired\. Generate a new key/,
  'clock-skew': /Sync the clock \(NTP/,
  'permission-denied': /lacks the permission this call needs/,
  'region-restricted': /domain for your region/,
  'wrong-environment': /belongs to another environment/,
  'rate-limited': /Wait, then retry/,
  'unreadable-response': /could not be read|cannot read/,
  network: /Could not reach .* baseUrl/,
};

/** Registers the shared tests for one exchange package. */
export function describeExchangePackage<Creds>(suite: ExchangeSuite<Creds>): void {
  const { exchange } = suite;
  const upper = exchange.toUpperCase();
  const needsPassphrase = EXCHANGES[exchange].needsPassphrase;
  // Canaries: if any part of one shows up in an output, the test fails.
  const canaryText = (role: string, n: number) =>
    `CANARY${role}${upper}${String(n).padStart(24, '0')}`;
  const secretOf = suite.secretOf ?? ((value: string) => value);
  const canary = (role: string, n: number) =>
    role === 'SECRET' ? secretOf(canaryText(role, n)) : canaryText(role, n);
  const key = (n: number, extra: Partial<SuiteSandboxKey> = {}): SuiteSandboxKey => ({
    exchange,
    apiKey: canary('KEY', n),
    apiSecret: canary('SECRET', n),
    ...(needsPassphrase ? { passphrase: canary('PASS', n) } : {}),
    ...extra,
  });
  const future = new Date(Math.floor(Date.now() / 1000 + 30 * 86_400) * 1000).toISOString();
  const keys = {
    trade: key(1),
    readOnly: key(2, { permissions: { trade: false } }),
    withdraw: key(3, { permissions: { withdraw: true } }),
    whitelisted: key(4, { ips: ['127.0.0.1', '10.0.0.1'], expiresAt: future }),
    blocked: key(5, { ips: ['203.0.113.7'] }),
    expired: key(6, { expiresAt: '2020-01-01T00:00:00Z' }),
    // Another preview than the CANARY keys, so the sandbox's log tells which key signed.
    rotated: key(7, { apiKey: `ROTATEKEY${upper}${'7'.padStart(24, '0')}` }),
  };
  const credsOf = (k: SuiteSandboxKey, change: Partial<SuiteSandboxKey> = {}) => {
    const v = { ...k, ...change };
    return suite.credentials({
      [`${upper}_API_KEY`]: v.apiKey,
      [`${upper}_API_SECRET`]: v.apiSecret,
      ...(v.passphrase ? { [`${upper}_API_PASSPHRASE`]: v.passphrase } : {}),
    });
  };
  const assertNoCanary = (text: string) => {
    expect(text).not.toMatch(/CANARY(SECRET|PASS)/);
    for (const k of Object.values(keys)) expect(text).not.toContain(k.apiKey);
  };
  let sandbox: SuiteSandbox;
  beforeAll(async () => {
    sandbox = await suite.startSandbox({ keys: Object.values(keys) });
  });
  afterAll(() => sandbox.close());
  const local = (): ExchangeClientOptions => ({ baseUrl: sandbox.url });

  describe(`${exchange}: key verification against the sandbox`, () => {
    it.each([
      ['a trade key', keys.trade],
      ['a read-only key', keys.readOnly],
      ['a withdraw-enabled key', keys.withdraw],
      ['an IP-whitelisted key with an expiry', keys.whitelisted],
    ])('reports %s from exactly one call to the key-information endpoint', async (_name, k) => {
      const before = sandbox.requests.length;
      const report = await suite.verify(credsOf(k), local());
      const calls = sandbox.requests.slice(before);
      expect(calls.map((call) => `${call.method} ${call.path} ${call.ok}`)).toEqual([
        `${suite.keyInfoMethod ?? 'GET'} ${suite.keyInfoPath} true`,
      ]);
      const expiresAt =
        suite.reportsExpiry && k.expiresAt ? new Date(k.expiresAt).toISOString() : null;
      expect(report).toMatchObject({
        exchange,
        profile: 'default',
        permissions: {
          read: true,
          trade: k.permissions?.trade ?? true,
          withdraw: k.permissions?.withdraw ?? false,
          transfer: false,
        },
        ipRestricted: suite.reportsIpWhitelist === false ? false : k.ips !== undefined,
        expiresAt,
        warnings: [],
      });
      expect(report.unchecked ?? []).toEqual(
        suite.reportsIpWhitelist === false ? ['ip-whitelist'] : [],
      );
      assertNoCanary(JSON.stringify(report) + inspect(report));
    });

    it.each(suite.failures)('$provoke → $reason ($code)', async ({ provoke, reason, code }) => {
      const options: ExchangeClientOptions = local();
      let creds: Creds;
      switch (provoke) {
        case 'unknown-key':
          creds = credsOf(keys.trade, { apiKey: canary('KEY', 99) });
          break;
        case 'wrong-secret':
          creds = credsOf(keys.trade, { apiSecret: canary('SECRET', 99) });
          break;
        case 'wrong-passphrase':
          creds = credsOf(keys.trade, { passphrase: canary('PASS', 99) });
          break;
        case 'ip-not-whitelisted':
          creds = credsOf(keys.blocked);
          break;
        case 'expired-key':
          creds = credsOf(keys.expired);
          break;
        case 'skewed-clock':
          creds = credsOf(keys.trade);
          options.ccxt = { options: { timeDifference: 3_600_000 } };
          break;
        case 'closed-port':
          creds = credsOf(keys.trade);
          options.baseUrl = 'http://127.0.0.1:9';
          break;
      }
      const error = await expectVerificationFailure(suite.verify(creds, options), assertNoCanary);
      expect({ reason: error.reason, code: error.exchangeCode, exchange: error.exchange }).toEqual({
        reason,
        code,
        exchange,
      });
      expect(error.message).toMatch(ADVICE[reason]);
      if (provoke === 'closed-port') expect(error.message).toContain('http://127.0.0.1:9.');
      assertNoCanary(inspect(error.cause, { depth: 8 }));
    });
  });

  describe(`${exchange}: client factory`, () => {
    it('refuses plain objects, other exchanges and credentials smuggled in ccxt options', async () => {
      const plain = {
        exchange,
        profile: 'default',
        apiKey: keys.trade.apiKey,
        apiSecret: keys.trade.apiSecret,
      };
      const codeOf = (promise: Promise<unknown>) =>
        promise.then(
          () => 'accepted',
          (e: unknown) => (CredentialsError.isInstance(e) ? e.code : e),
        );
      expect(await codeOf(suite.create(plain as Creds))).toBe('not-validated');
      expect(await codeOf(suite.create(suite.foreignCredentials() as Creds))).toBe(
        'wrong-exchange',
      );
      expect(await codeOf(suite.verify(suite.foreignCredentials() as Creds))).toBe(
        'wrong-exchange',
      );
      const smuggled = { ccxt: { secret: keys.trade.apiSecret } };
      expect(await codeOf(suite.create(credsOf(keys.trade), smuggled))).toBe('not-validated');
    });

    it('holds the credentials where ccxt reads them, hidden from inspect and JSON', async () => {
      const client = await suite.create(credsOf(keys.trade), { ccxt: { timeout: 1234 } });
      expect(client.apiKey).toBe(keys.trade.apiKey);
      expect(client.secret).toBe(keys.trade.apiSecret);
      expect(client.password).toBe(keys.trade.passphrase);
      expect((client as unknown as { timeout: number }).timeout).toBe(1234);
      for (const field of ['apiKey', 'secret', 'password'])
        expect(Object.keys(client)).not.toContain(field);
      assertNoCanary(inspect(client, { depth: 1 }));
    });

    const switches: Array<[string, ExchangeClientOptions]> = [
      ['', {}],
      ...(suite.testnet === false
        ? []
        : [[' after the testnet switch', { testnet: true }] as [string, ExchangeClientOptions]]),
    ];
    it.each(switches)(
      'baseUrl replaces the origin of every API group, keeping paths%s',
      async (_when, mode) => {
        const plain = await suite.create(credsOf(keys.trade), mode);
        const based = await suite.create(credsOf(keys.trade), {
          ...mode,
          baseUrl: 'http://127.0.0.1:9/x/',
        });
        const groups = plain.urls.api as Record<string, string>;
        const expected = Object.fromEntries(
          Object.entries(groups).map(([group, url]) => [
            group,
            url.replace(/^[a-z]+:\/\/[^/]*/, 'http://127.0.0.1:9/x'),
          ]),
        );
        expect(based.urls.api).toEqual(expected);
        expect(Object.keys(expected).length).toBeGreaterThan(0);
      },
    );

    it.skipIf(suite.testnet !== false)('refuses testnet: the exchange has none', async () => {
      await expect(suite.create(credsOf(keys.trade), { testnet: true })).rejects.toThrow(
        /has no testnet/,
      );
      await expect(suite.verify(credsOf(keys.trade), { testnet: true })).rejects.toThrow(
        /has no testnet/,
      );
    });

    it('accepts only http(s) base URLs', async () => {
      for (const baseUrl of [
        'file:///etc/passwd',
        'ftp://127.0.0.1',
        'not a url',
        'http://u:p@127.0.0.1',
      ]) {
        await expect(suite.create(credsOf(keys.trade), { baseUrl })).rejects.toThrow(TypeError);
      }
      await expect(
        suite.create(credsOf(keys.trade), { testnet: true, demo: true }),
      ).rejects.toThrow(TypeError);
    });
  });

  describe(`${exchange}: client against the sandbox`, () => {
    it('keeps the key, secret and passphrase out of ccxt verbose output', async () => {
      const lines: string[] = [];
      const collect = (...args: unknown[]) => {
        lines.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' '));
      };
      const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
        vi.spyOn(console, method).mockImplementation(collect),
      );
      try {
        const options = { ...local(), ccxt: { verbose: true } };
        const client = await suite.create(credsOf(keys.trade), options);
        await client.fetchBalance();
        await suite.verify(credsOf(keys.trade), options);
        await suite
          .verify(credsOf(keys.trade, { apiSecret: canary('SECRET', 98) }), options)
          .catch(collect);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      const output = lines.join('\n');
      expect(output).toContain('fetch Request');
      expect(output).toContain('[redacted]');
      assertNoCanary(output);
    });

    it('prints no secret, passphrase or more than 6 key characters after requests, however printed', async () => {
      const client = await suite.create(credsOf(keys.trade), local());
      await client.fetchBalance();
      const failing = await suite.create(
        credsOf(keys.trade, { apiSecret: canary('SECRET', 97) }),
        local(),
      );
      await failing.fetchBalance().catch(() => {});
      // ccxt loads markets with parallel requests; let the ones still in flight land here, not in
      // the next test's request log.
      for (let seen = -1; seen !== sandbox.requests.length; ) {
        seen = sandbox.requests.length;
        await new Promise((r) => setTimeout(r, 300));
      }
      for (const c of [client, failing]) {
        const record = c as unknown as Record<string, unknown>;
        // Control: ccxt kept its record of the request, and reads it back (redacted).
        expect(record.last_request_url).toEqual(expect.stringContaining('/'));
        expect(record.last_request_headers).toBeTruthy();
        const forms = [
          inspect(c),
          inspect(c, { showHidden: true, depth: 3 }),
          inspect(c, { showHidden: true, getters: true, depth: 3 }),
          inspect(c, { customInspect: false, depth: 2 }),
          inspect({ ...c }, { depth: 3 }),
          JSON.stringify(c),
          JSON.stringify({ ...c }),
          JSON.stringify(Object.entries(c)),
          ...[
            'last_request_headers',
            'last_request_body',
            'last_request_url',
            'last_http_response',
            'last_json_response',
            'last_response_headers',
          ].map(
            (field) => `${inspect(record[field], { depth: 5 })}${JSON.stringify(record[field])}`,
          ),
        ];
        for (const form of forms) {
          assertNoCanary(form);
          for (const k of Object.values(keys)) expect(form).not.toContain(k.apiKey.slice(0, 7));
        }
      }
      expect(inspect(client)).toContain(`key ${keys.trade.apiKey.slice(0, 6)}…`);
    });

    it('swaps the credentials of a live client: the next request is signed with the new key, markets stay', async () => {
      const lines: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        lines.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' '));
      });
      try {
        const client = await suite.create(credsOf(keys.trade), {
          ...local(),
          ccxt: { verbose: true },
        });
        await client.fetchBalance();
        const markets = (client as unknown as { markets: unknown }).markets;
        expect(markets).toBeTruthy();
        const before = sandbox.requests.length;
        suite.update(client, credsOf(keys.rotated));
        await client.fetchBalance();
        const after = sandbox.requests.slice(before);
        // Control and check: the sandbox verified the new key's signature, and nothing else ran.
        expect(after.map((call) => [call.keyPreview, call.ok])).toEqual([['ROTATE…', true]]);
        expect((client as unknown as { markets: unknown }).markets).toBe(markets);
        expect(client.apiKey).toBe(keys.rotated.apiKey);
        expect(inspect(client)).toContain('key ROTATE…');
        // The secret is swapped too: a wrong one is refused by the sandbox.
        suite.update(client, credsOf(keys.rotated, { apiSecret: canary('SECRET', 96) }));
        await expect(client.fetchBalance()).rejects.toThrow();
        expect(sandbox.requests.at(-1)).toMatchObject({ keyPreview: 'ROTATE…', ok: false });
        const record = client as unknown as Record<string, unknown>;
        expect(record.last_request_headers).toBeTruthy();
        const forms = [
          lines.join('\n'),
          inspect(client, { showHidden: true, depth: 3 }),
          JSON.stringify(client),
          inspect(record.last_request_headers),
          inspect(record.last_request_url),
        ];
        expect(lines.join('\n')).toContain('[redacted]');
        for (const form of forms) {
          assertNoCanary(form);
          expect(form).not.toContain(canary('SECRET', 96));
        }
      } finally {
        spy.mockRestore();
      }
    });

    it('refuses to swap in credentials of another exchange, plain objects, or onto a foreign client', async () => {
      const client = await suite.create(credsOf(keys.trade), local());
      const codeOf = (run: () => void) => {
        try {
          run();
          return 'accepted';
        } catch (e) {
          return CredentialsError.isInstance(e) ? e.code : e;
        }
      };
      const plain = { ...keys.rotated, profile: 'default' };
      expect(codeOf(() => suite.update(client, plain as unknown as Creds))).toBe('not-validated');
      expect(codeOf(() => suite.update(client, suite.foreignCredentials() as Creds))).toBe(
        'wrong-exchange',
      );
      expect(codeOf(() => suite.update({ ...client }, credsOf(keys.rotated)))).toBe(
        'not-validated',
      );
      // Nothing was swapped by the refusals; control: a valid swap is accepted.
      expect(client.apiKey).toBe(keys.trade.apiKey);
      expect(codeOf(() => suite.update(client, credsOf(keys.rotated)))).toBe('accepted');
      expect(client.apiKey).toBe(keys.rotated.apiKey);
    });

    it('fetches a balance and a ticker, places and cancels an order', async () => {
      const before = sandbox.requests.length;
      const client = await suite.create(credsOf(keys.trade), local());
      const { symbol, amount, price } = suite.order;
      const balance = (await client.fetchBalance()) as { total?: Record<string, number> };
      expect(Object.values(balance.total ?? {}).some((total) => total > 0)).toBe(true);
      const ticker = await client.fetchTicker(symbol);
      expect(ticker.symbol).toBe(symbol);
      expect(ticker.last).toBeGreaterThan(0);
      const order = await client.createOrder(symbol, 'limit', 'buy', amount, price);
      expect(order.id).toMatch(/\S/);
      await client.cancelOrder(String(order.id), symbol);
      const failed = sandbox.requests.slice(before).filter((call) => !call.ok);
      expect(failed).toEqual([]);
    });
  });
}
