import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getCredentials, type KeyPolicy, type KeyReport } from '@exkeys/credentials';
import {
  auditOutcome,
  expectVerificationFailure,
  policyVerdict,
  readerOutcome,
} from '@exkeys/credentials/testing';
import { type Sandbox, type SandboxKey, startSandbox } from '@exkeys/sandbox';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import documented from './__fixtures__/api-key.json' with { type: 'json' };
import errors from './__fixtures__/errors.json' with { type: 'json' };
import { KUCOIN_PERMISSIONS, readApiKeyInfo, verifyKucoinKey } from './index.js';

// Every permission KuCoin documents, with its meaning, written out here (not read from the table):
// Get Apikey Info lists General, Spot, Margin, Futures, InnerTransfer, Transfer and Earn; the
// API-permission page adds Withdrawal and FlexTransfers.
const TOKENS = {
  General: 'read',
  Spot: 'trade',
  Margin: 'trade',
  Futures: 'trade',
  Earn: 'trade',
  InnerTransfer: 'transfer',
  FlexTransfers: 'transfer',
  Transfer: 'withdraw',
  Withdrawal: 'withdraw',
} as const;
type Token = keyof typeof TOKENS;
const ALL = Object.keys(TOKENS) as Token[];

const SECRET = (i: number) => `CANARYSECRETkucoinaudit${String(i).padStart(4, '0')}`;
const PASS = (i: number) => `CANARYPASSkucoin${String(i).padStart(4, '0')}`;
const KEY = (i: number) => `a0d1e7${String(i).padStart(4, '0')}cafe4bad8bed00`;
const credsOf = (i: number) =>
  getCredentials('kucoin', {
    env: { KUCOIN_API_KEY: KEY(i), KUCOIN_API_SECRET: SECRET(i), KUCOIN_API_PASSPHRASE: PASS(i) },
  });

/** The documented answer with `data` fields replaced. */
const withData = (fields: Record<string, unknown>) => ({
  ...documented,
  data: { ...documented.data, ...fields },
});

const bodies: unknown[] = [];
const add = (body: unknown) => bodies.push(body) - 1;

// Every documented permission alone, next to General (as KuCoin always lists it), and all together.
const combos: Token[][] = [
  ...ALL.map((token) => [token]),
  ...ALL.filter((t) => t !== 'General').map((token): Token[] => ['General', token]),
  ['General', 'Spot', 'Margin', 'Futures', 'Earn'],
  ['General', 'Spot', 'InnerTransfer', 'FlexTransfers'],
  [...ALL],
  [...ALL].reverse(),
];
const comboIndex = combos.map((tokens) => add(withData({ permission: tokens.join(',') })));

type Expect = 'safe' | 'trade' | 'transfer' | 'withdraw' | 'unknown';
// Wrong case matches; other separators, unknown tokens and empty tokens are unknown.
const spelled: Array<[string, Expect, string?]> = [
  ['GENERAL,SPOT', 'trade'],
  ['general', 'safe'],
  [' General , Spot ', 'trade'],
  ['General,withdrawal', 'withdraw'],
  ['General,TRANSFER', 'withdraw'],
  ['General;Spot', 'unknown', 'General;Spot'],
  ['General Spot', 'unknown', 'General Spot'],
  ['General,Spot,LeadtradeFutures', 'unknown', 'LeadtradeFutures'],
  ['General,Withdraw', 'unknown', 'Withdraw'],
  ['General,,Spot', 'unknown', '(empty token)'],
  ['General,', 'unknown', '(empty token)'],
  ['Inner Transfer', 'unknown', 'Inner Transfer'],
];
const spelledIndex = spelled.map(([permission]) => add(withData({ permission })));

const unreadable: Array<[string, unknown, string]> = [
  ['an empty object (no KuCoin envelope)', {}, 'code'],
  ['a success code as a number', { ...documented, code: 200000 }, 'code'],
  ['an envelope without data', { code: '200000' }, 'data'],
  ['a list', [documented.data], '(the whole body)'],
  ['data as a list', { ...documented, data: [documented.data] }, 'data'],
  ['data null', { ...documented, data: null }, 'data'],
  ['no permission', withData({ permission: undefined }), 'data.permission'],
  ['permission as a list', withData({ permission: ['General'] }), 'data.permission'],
  ['permission null', withData({ permission: null }), 'data.permission'],
  ['an empty permission', withData({ permission: '' }), 'data.permission'],
  ['a blank permission', withData({ permission: '  ' }), 'data.permission'],
  ['ipWhitelist as a list', withData({ ipWhitelist: ['203.**.154'] }), 'data.ipWhitelist'],
  ['ipWhitelist as a number', withData({ ipWhitelist: 1 }), 'data.ipWhitelist'],
];
const unreadableIndex = unreadable.map(([, body]) => add(body));

const readOnlyIndex = add(withData({ permission: 'General' }));
const safeTradeIndex = add(withData({ permission: 'General,Spot' }));
const noWhitelistIndex = add(withData({ permission: 'General,Spot', ipWhitelist: '' }));
const missingWhitelistIndex = add(withData({ permission: 'General', ipWhitelist: undefined }));
const documentedIndex = add(documented);

const NATIVE = 9000;
const LIMITED = 9001;
const DENIED = 9002;
const TESTNET = 9003;
const EXPIRED = 9004;

let sandbox: Sandbox;
beforeAll(async () => {
  const key = (i: number, extra: Partial<SandboxKey>): SandboxKey => ({
    exchange: 'kucoin',
    apiKey: KEY(i),
    apiSecret: SECRET(i),
    passphrase: PASS(i),
    ...extra,
  });
  sandbox = await startSandbox({
    keys: [
      ...bodies.map((keyInfoBody, i) => key(i, { keyInfoBody })),
      key(NATIVE, { nativePermissions: 'General,Spot,Withdrawal', ips: ['127.0.0.1'] }),
      key(LIMITED, { failWith: 'rate-limited' }),
      key(DENIED, { failWith: 'permission-denied' }),
      key(TESTNET, { environment: 'testnet' }),
      key(EXPIRED, { expiresAt: '2020-01-01T00:00:00Z' }),
    ],
  });
});
afterAll(() => sandbox?.close());

const verify = (i: number, options = {}) =>
  verifyKucoinKey(credsOf(i), { baseUrl: sandbox.url, ...options });

/** `assertSafeKey`'s verdict, less the no-IP-whitelist and transfer warnings. */
const verdict = (report: KeyReport, policy: KeyPolicy) =>
  policyVerdict(report, policy, { ignoreWarnings: /no IP whitelist|can transfer funds/ });

function expectNoCanary(text: string) {
  expect(text.length).toBeGreaterThan(0);
  expect(text).not.toMatch(/CANARY(SECRET|PASS)/);
}

const failure = (i: number, options = {}) =>
  expectVerificationFailure(verify(i, options), expectNoCanary);

/** What `assertSafeKey` must say for trade and data keys. */
function expectVerdicts(report: KeyReport, expected: Expect, unknownName?: string) {
  const trade = verdict(report, { purpose: 'trade' });
  const data = verdict(report, { purpose: 'data' });
  switch (expected) {
    case 'safe':
    case 'transfer':
      expect(trade).toEqual({ accepted: true, warnings: [] });
      expect(data).toEqual({ accepted: true, warnings: [] });
      expect(report.permissions.transfer).toBe(expected === 'transfer');
      break;
    case 'trade':
      expect(trade).toEqual({ accepted: true, warnings: [] });
      expect(data).toMatchObject({ accepted: false, reasons: ['trade-on-data-key'] });
      break;
    case 'withdraw':
      for (const v of [trade, data]) {
        expect(v.accepted).toBe(false);
        if (!v.accepted) expect(v.reasons).toContain('withdraw-enabled');
      }
      break;
    case 'unknown':
      for (const v of [trade, data]) {
        expect(v.accepted).toBe(false);
        if (!v.accepted) {
          expect(v.reasons).toContain('unknown-permission');
          expect(v.reasons).not.toContain('withdraw-enabled');
          expect(v.message).toContain(`kucoin:${unknownName}`);
          expectNoCanary(v.message);
        }
      }
      break;
  }
}

const expectOf = (tokens: readonly Token[]): Expect => {
  const classes = tokens.map((t) => TOKENS[t]);
  if (classes.includes('withdraw')) return 'withdraw';
  if (classes.includes('trade')) return 'trade';
  return classes.includes('transfer') ? 'transfer' : 'safe';
};

describe('KuCoin audit: every documented permission, alone and combined, through the sandbox', () => {
  it.each(combos.map((tokens, n) => [tokens.join(','), tokens, comboIndex[n] as number] as const))(
    'permission %s',
    async (_permission, tokens, index) => {
      const report = await verify(index);
      expect(report.permissions.grants).toEqual(
        tokens.map((name) => ({ name, class: TOKENS[name] })),
      );
      // The documented example's whitelist "203.**.154,103.**.34" is kept in every combination.
      expect(report.ipRestricted).toBe(true);
      expect(report.expiresAt).toBeNull();
      expectVerdicts(report, expectOf(tokens));
    },
  );

  it.each(
    spelled.map(([permission, want, name], n) => [
      permission,
      want,
      name,
      spelledIndex[n] as number,
    ]),
  )('permission "%s" → %s', async (_permission, want, name, index) => {
    expectVerdicts(await verify(index as number), want as Expect, name as string | undefined);
  });
});

describe('KuCoin audit: what exkeys cannot read is refused, naming the field', () => {
  it.each(unreadable.map(([name, , field], n) => [name, field, unreadableIndex[n] as number]))(
    '%s → unreadable-response (%s)',
    async (_name, field, index) => {
      const error = await failure(index as number);
      expect({ reason: error.reason, field: error.field, endpoint: error.endpoint }).toEqual({
        reason: 'unreadable-response',
        field,
        endpoint: 'GET /api/v1/user/api-key',
      });
    },
  );
});

describe('KuCoin audit: controls', () => {
  it('accepts a read-only key and a trade key, IP-bound, and refuses the documented example', async () => {
    const readOnly = await verify(readOnlyIndex);
    expect(readOnly.ipRestricted).toBe(true);
    expectVerdicts(readOnly, 'safe');
    expectVerdicts(await verify(safeTradeIndex), 'trade');
    // The documented example holds Transfer, which covers withdrawals.
    const example = await verify(documentedIndex);
    expectVerdicts(example, 'withdraw');
    expect(example.permissions.grants).toContainEqual({ name: 'Transfer', class: 'withdraw' });
  });

  it('reads an empty or missing ipWhitelist as no whitelist', async () => {
    const none = await verify(noWhitelistIndex);
    expect(none.ipRestricted).toBe(false);
    expect(verdict(none, { purpose: 'trade', requireIpWhitelist: true })).toMatchObject({
      accepted: false,
      reasons: ['no-ip-whitelist'],
    });
    expect((await verify(missingWhitelistIndex)).ipRestricted).toBe(false);
  });

  it("reads the sandbox's own answer as KuCoin shapes it", async () => {
    const report = await verify(NATIVE);
    expect(report.permissions.grants).toEqual([
      { name: 'General', class: 'read' },
      { name: 'Spot', class: 'trade' },
      { name: 'Withdrawal', class: 'withdraw' },
    ]);
    expect(report.ipRestricted).toBe(true);
    expectVerdicts(report, 'withdraw');
  });
});

describe('KuCoin audit: the answers KuCoin sends, from the sandbox', () => {
  it('429000 (HTTP 429) → rate-limited, with the wait from gw-ratelimit-reset', async () => {
    expect(errors['429000'].status).toBe(429);
    const error = await failure(LIMITED);
    expect(error).toMatchObject({ reason: 'rate-limited', exchangeCode: '429000' });
    expect(error.retryAfterMs).toBe(2000);
    expect(error.message).toContain('KuCoin asks to wait 2 s.');
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 429, errorCode: '429000' });
  });

  it('400007 → permission-denied', async () => {
    const error = await failure(DENIED);
    expect(error).toMatchObject({ reason: 'permission-denied', exchangeCode: '400007' });
  });

  it('400003 → invalid-key, for a key of no environment KuCoin has and for a lapsed key', async () => {
    for (const index of [TESTNET, EXPIRED]) {
      const error = await failure(index);
      expect(error).toMatchObject({ reason: 'invalid-key', exchangeCode: '400003' });
      expect(error.message).toContain('after 30 days unused');
    }
  });

  it('400004 → wrong-passphrase, saying that a wrong secret gives it too', async () => {
    const wrong = getCredentials('kucoin', {
      env: {
        KUCOIN_API_KEY: KEY(readOnlyIndex),
        KUCOIN_API_SECRET: SECRET(readOnlyIndex),
        KUCOIN_API_PASSPHRASE: 'not-the-passphrase',
      },
    });
    const error = await expectVerificationFailure(
      verifyKucoinKey(wrong, { baseUrl: sandbox.url }),
      expectNoCanary,
    );
    expect(error).toMatchObject({ reason: 'wrong-passphrase', exchangeCode: '400004' });
    expect(error.message).toContain('KUCOIN_API_PASSPHRASE');
    expect(error.message).toContain('a wrong secret is answered 400004 too');
  });

  it('refuses testnet and demo: KuCoin has neither', async () => {
    await expect(verify(readOnlyIndex, { testnet: true })).rejects.toThrow(/has no testnet/);
    await expect(verify(readOnlyIndex, { demo: true })).rejects.toThrow(/has no demo/);
  });
});

describe('KuCoin audit: every documented error code, answered over HTTP as documented', () => {
  // The sandbox produces the codes a real client can provoke (above); a signature that is wrong
  // while the signed passphrase is right, a missing header, or a regional block cannot be
  // provoked through ccxt, so a loopback server answers them with the documented body.
  const REASONS: Record<string, string> = {
    '400001': 'invalid-key',
    '400002': 'clock-skew',
    '400003': 'invalid-key',
    '400004': 'wrong-passphrase',
    '400005': 'bad-signature',
    '400006': 'ip-not-allowed',
    '400007': 'permission-denied',
    '400301': 'region-restricted',
    '429000': 'rate-limited',
  };
  let url = '';
  let close = () => {};
  beforeAll(async () => {
    const server = createServer((req, res) => {
      const code = /^\/code\/(\d+)\//.exec(req.url ?? '')?.[1] ?? '';
      const documented = (errors as Record<string, { status?: number; msg: string }>)[code];
      res.writeHead(documented?.status ?? 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code, msg: documented?.msg ?? 'not documented' }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it('maps every code of the fixture, and the fixture holds every code of the table', () => {
    expect(Object.keys(errors).sort()).toEqual(Object.keys(REASONS).sort());
  });

  it.each(Object.entries(REASONS))('%s → %s', async (code, reason) => {
    const error = await expectVerificationFailure(
      verifyKucoinKey(credsOf(1), { baseUrl: `${url}/code/${code}` }),
      expectNoCanary,
    );
    expect({ reason: error.reason, code: error.exchangeCode }).toEqual({ reason, code });
  });
});

describe('KuCoin audit: property', () => {
  const known = fc.constantFrom(
    'General',
    'Spot',
    'GENERAL',
    'spot',
    ' Margin ',
    'Futures',
    'Earn',
  );
  const token = fc.oneof(
    { weight: 3, arbitrary: known },
    {
      weight: 1,
      arbitrary: fc.constantFrom('Withdrawal', 'Transfer', 'InnerTransfer', 'FlexTransfers', ''),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 10 }) },
  );
  const permissions = fc.array(token, { minLength: 1, maxLength: 5 }).map((t) => t.join(','));
  const readOrTrade = new Set(['general', 'spot', 'margin', 'futures', 'earn']);
  const transfers = new Set(['innertransfer', 'flextransfers']);
  const outside = (permission: string) =>
    permission
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .some((t) => !readOrTrade.has(t) && !transfers.has(t));
  const judge = (response: unknown) =>
    readerOutcome('kucoin', () => readApiKeyInfo(undefined, response), { purpose: 'trade' });

  it('refuses every permission string holding a token outside the read, trade and transfer tables (reader)', () => {
    fc.assert(
      fc.property(permissions, (permission) => {
        if (permission.trim() === '') return;
        expect(judge(withData({ permission }))).toBe(outside(permission) ? 'refused' : 'accepted');
      }),
      { numRuns: 500 },
    );
  });

  it('does the same through the sandbox over HTTP', async () => {
    await fc.assert(
      fc.asyncProperty(
        permissions.filter((p) => p.trim() !== ''),
        async (permission) => {
          const probe = await startSandbox({
            keys: [
              {
                exchange: 'kucoin',
                apiKey: KEY(1),
                apiSecret: SECRET(1),
                passphrase: PASS(1),
                nativePermissions: permission,
              },
            ],
          });
          try {
            const result = await auditOutcome(verifyKucoinKey(credsOf(1), { baseUrl: probe.url }), {
              purpose: 'trade',
            });
            expect(result).toBe(outside(permission) ? 'refused' : 'accepted');
          } finally {
            await probe.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('classifies the documented permissions as the documentation does', () => {
    expect(
      Object.fromEntries(Object.entries(KUCOIN_PERMISSIONS).map(([k, v]) => [k, v.class])),
    ).toEqual(Object.fromEntries(Object.entries(TOKENS).map(([k, v]) => [k.toLowerCase(), v])));
    for (const { doc } of Object.values(KUCOIN_PERMISSIONS)) {
      expect(doc).toMatch(/^https:\/\/www\.kucoin\.com\/(docs-new|support)\//);
    }
  });
});
