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
import documented from './__fixtures__/account-config.json' with { type: 'json' };
import { OKX_PERMISSIONS, readAccountConfig, verifyOkxKey } from './index.js';

// The tokens OKX documents for `perm`, with their meaning, written out here (not read from the table).
const TOKENS = { read_only: 'read', trade: 'trade', withdraw: 'withdraw' } as const;
type Token = keyof typeof TOKENS;

const SECRET = (i: number) => `CANARYSECRETokxaudit${String(i).padStart(4, '0')}ABCDEF`;
const PASS = (i: number) => `CANARYPASSokx${String(i).padStart(4, '0')}`;
const KEY = (i: number) => `a0d1e7${String(i).padStart(4, '0')}-cafe-4bad-8bed-000000000000`;
const credsOf = (i: number) =>
  getCredentials('okx', {
    env: { OKX_API_KEY: KEY(i), OKX_API_SECRET: SECRET(i), OKX_API_PASSPHRASE: PASS(i) },
  });

const entry = documented.data[0] as Record<string, unknown>;
/** The documented answer with `perm` (and more) replaced. */
const withEntry = (fields: Record<string, unknown>) => ({
  ...documented,
  data: [{ ...entry, ...fields }],
});

const bodies: unknown[] = [];
const add = (body: unknown) => bodies.push(body) - 1;

// Every documented token alone, and every combination in both orders.
const orders: Token[][] = [
  ['read_only'],
  ['trade'],
  ['withdraw'],
  ['read_only', 'trade'],
  ['trade', 'read_only'],
  ['read_only', 'withdraw'],
  ['withdraw', 'read_only'],
  ['trade', 'withdraw'],
  ['read_only', 'trade', 'withdraw'],
  ['read_only', 'withdraw', 'trade'],
  ['withdraw', 'trade', 'read_only'],
];
const orderIndex = orders.map((tokens) => add(withEntry({ perm: tokens.join(',') })));

type Expect = 'safe' | 'trade' | 'withdraw' | 'unknown';
// Wrong case matches; other separators, unknown tokens and empty tokens are unknown.
const spelled: Array<[string, Expect, string?]> = [
  ['READ_ONLY,TRADE', 'trade'],
  ['Read_Only', 'safe'],
  [' read_only , trade ', 'trade'],
  ['read_only,Withdraw,trade', 'withdraw'],
  ['read_only,WITHDRAW', 'withdraw'],
  ['read_only;withdraw', 'unknown', 'read_only;withdraw'],
  ['read_only;trade', 'unknown', 'read_only;trade'],
  ['read_only trade', 'unknown', 'read_only trade'],
  ['read_only|trade', 'unknown', 'read_only|trade'],
  ['read_only,Withdraw2', 'unknown', 'Withdraw2'],
  ['read_only,transfer', 'unknown', 'transfer'],
  ['read_only,,trade', 'unknown', '(empty token)'],
  ['read_only,', 'unknown', '(empty token)'],
  ['read-only', 'unknown', 'read-only'],
];
const spelledIndex = spelled.map(([perm]) => add(withEntry({ perm })));

const unreadable: Array<[string, unknown, string]> = [
  ['an empty object (no OKX envelope)', {}, 'code'],
  ['an envelope without data', { code: '0', msg: '' }, 'data'],
  ['a list', [entry], '(the whole body)'],
  ['data not a list', { ...documented, data: entry }, 'data'],
  ['an empty data list', { ...documented, data: [] }, 'data'],
  ['a data entry that is not an object', { ...documented, data: ['read_only'] }, 'data.0'],
  ['no perm', withEntry({ perm: undefined }), 'data.0.perm'],
  ['perm as a list', withEntry({ perm: ['read_only'] }), 'data.0.perm'],
  ['perm null', withEntry({ perm: null }), 'data.0.perm'],
  ['an empty perm', withEntry({ perm: '' }), 'data.0.perm'],
  ['ip as a number', withEntry({ ip: 1 }), 'data.0.ip'],
  [
    'a second entry without perm',
    { ...documented, data: [{ ...entry, perm: 'read_only' }, { uid: '1' }] },
    'data.1.perm',
  ],
];
const unreadableIndex = unreadable.map(([, body]) => add(body));

const multiIndex = add({
  ...documented,
  data: [
    { ...entry, perm: 'read_only' },
    { ...entry, perm: 'read_only,withdraw' },
  ],
});
const readOnlyIndex = add(withEntry({ perm: 'read_only', ip: '203.0.113.7' }));
const safeTradeIndex = add(withEntry({ perm: 'read_only,trade', ip: '203.0.113.7' }));
const documentedIndex = add(documented);

const NATIVE = 9000;
const LIMITED = 9001;
const DENIED = 9002;
const DEMO = 9003;
const EXPIRED = 9004;

let sandbox: Sandbox;
beforeAll(async () => {
  const key = (i: number, extra: Partial<SandboxKey>): SandboxKey => ({
    exchange: 'okx',
    apiKey: KEY(i),
    apiSecret: SECRET(i),
    passphrase: PASS(i),
    ...extra,
  });
  sandbox = await startSandbox({
    keys: [
      ...bodies.map((keyInfoBody, i) => key(i, { keyInfoBody })),
      key(NATIVE, { nativePermissions: 'read_only,Withdraw,trade' }),
      key(LIMITED, { failWith: 'rate-limited' }),
      key(DENIED, { failWith: 'permission-denied' }),
      key(DEMO, { environment: 'demo' }),
      key(EXPIRED, { expiresAt: '2020-01-01T00:00:00Z' }),
    ],
  });
});
afterAll(() => sandbox?.close());

const verify = (i: number, options = {}) =>
  verifyOkxKey(credsOf(i), { baseUrl: sandbox.url, ...options });

/** `assertSafeKey`'s verdict, less the no-IP-whitelist warning, which every key here gets. */
const verdict = (report: KeyReport, policy: KeyPolicy) =>
  policyVerdict(report, policy, { ignoreWarnings: /no IP whitelist/ });

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
      expect(trade).toEqual({ accepted: true, warnings: [] });
      expect(data).toEqual({ accepted: true, warnings: [] });
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
          expect(v.message).toContain(`okx:${unknownName}`);
          expectNoCanary(v.message);
        }
      }
      break;
  }
}

const expectOf = (tokens: readonly string[]): Expect =>
  tokens.includes('withdraw') ? 'withdraw' : tokens.includes('trade') ? 'trade' : 'safe';

describe('OKX audit: every documented token, alone and combined, through the sandbox', () => {
  it.each(orders.map((tokens, n) => [tokens.join(','), tokens, orderIndex[n] as number] as const))(
    'perm %s',
    async (_perm, tokens, index) => {
      const report = await verify(index);
      expect(report.permissions.grants).toEqual(
        tokens.map((name) => ({ name, class: TOKENS[name] })),
      );
      expectVerdicts(report, expectOf(tokens));
    },
  );

  it.each(spelled.map(([perm, want, name], n) => [perm, want, name, spelledIndex[n] as number]))(
    'perm "%s" → %s',
    async (_perm, want, name, index) => {
      expectVerdicts(await verify(index as number), want as Expect, name as string | undefined);
    },
  );

  it('reads every data entry: the one that can withdraw decides', async () => {
    expectVerdicts(await verify(multiIndex), 'withdraw');
  });
});

describe('OKX audit: what exkeys cannot read is refused, naming the field', () => {
  it.each(unreadable.map(([name, , field], n) => [name, field, unreadableIndex[n] as number]))(
    '%s → unreadable-response (%s)',
    async (_name, field, index) => {
      const error = await failure(index as number);
      expect({ reason: error.reason, field: error.field, endpoint: error.endpoint }).toEqual({
        reason: 'unreadable-response',
        field,
        endpoint: 'GET /api/v5/account/config',
      });
    },
  );
});

describe('OKX audit: controls', () => {
  it('accepts a read-only key and a trade key, IP-bound, and refuses the documented example', async () => {
    const readOnly = await verify(readOnlyIndex);
    expect(readOnly.ipRestricted).toBe(true);
    expectVerdicts(readOnly, 'safe');
    expectVerdicts(await verify(safeTradeIndex), 'trade');
    // The documented example is read_only,withdraw,trade.
    expectVerdicts(await verify(documentedIndex), 'withdraw');
  });

  it("reads the sandbox's native perm string as OKX reports it", async () => {
    const report = await verify(NATIVE);
    expect(report.permissions.grants).toContainEqual({ name: 'Withdraw', class: 'withdraw' });
    expectVerdicts(report, 'withdraw');
  });
});

describe('OKX audit: the answers OKX sends, from the sandbox', () => {
  it('50011 (HTTP 429) → rate-limited', async () => {
    const error = await failure(LIMITED);
    expect(error).toMatchObject({ reason: 'rate-limited', exchangeCode: '50011' });
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 429, errorCode: '50011' });
  });

  it('50120 → permission-denied', async () => {
    const error = await failure(DENIED);
    expect(error).toMatchObject({ reason: 'permission-denied', exchangeCode: '50120' });
  });

  it('50101 → wrong-environment, both ways; the demo key works with demo: true', async () => {
    expect(await failure(DEMO)).toMatchObject({
      reason: 'wrong-environment',
      exchangeCode: '50101',
    });
    const live = await failure(readOnlyIndex, { demo: true });
    expect(live).toMatchObject({ reason: 'wrong-environment', exchangeCode: '50101' });
    expect(live.message).toMatch(/belongs to another environment/);
    await expect(verify(DEMO, { demo: true })).resolves.toMatchObject({ exchange: 'okx' });
  });

  it('50119 → expired, naming the regional domains and the region option', async () => {
    const error = await failure(EXPIRED);
    expect(error).toMatchObject({ reason: 'expired', exchangeCode: '50119' });
    for (const text of [
      'my.okx.com',
      'app.okx.com',
      'www.okx.com',
      'region: "eea"',
      'region: "us"',
    ])
      expect(error.message).toContain(text);
  });
});

describe('OKX audit: property', () => {
  const known = fc.constantFrom('read_only', 'trade', 'READ_ONLY', 'Trade', ' trade ');
  const token = fc.oneof(
    { weight: 3, arbitrary: known },
    { weight: 1, arbitrary: fc.constantFrom('withdraw', 'Withdraw', '') },
    { weight: 2, arbitrary: fc.string({ maxLength: 10 }) },
  );
  const perms = fc.array(token, { minLength: 1, maxLength: 5 }).map((t) => t.join(','));
  const outside = (perm: string) =>
    perm
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .some((t) => t !== 'read_only' && t !== 'trade');
  const judge = (response: unknown) =>
    readerOutcome('okx', () => readAccountConfig(response), { purpose: 'trade' });

  it('refuses every perm holding a token outside the read and trade tables (reader)', () => {
    fc.assert(
      fc.property(fc.array(perms, { minLength: 1, maxLength: 3 }), (list) => {
        const body = { ...documented, data: list.map((perm) => ({ ...entry, perm })) };
        expect(judge(body)).toBe(list.some(outside) ? 'refused' : 'accepted');
      }),
      { numRuns: 500 },
    );
  });

  it('does the same through the sandbox over HTTP', async () => {
    await fc.assert(
      fc.asyncProperty(perms, async (perm) => {
        const probe = await startSandbox({
          keys: [
            {
              exchange: 'okx',
              apiKey: KEY(1),
              apiSecret: SECRET(1),
              passphrase: PASS(1),
              nativePermissions: perm,
            },
          ],
        });
        try {
          const result = await auditOutcome(verifyOkxKey(credsOf(1), { baseUrl: probe.url }), {
            purpose: 'trade',
          });
          expect(result).toBe(outside(perm) ? 'refused' : 'accepted');
        } finally {
          await probe.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('classifies the documented tokens as the documentation does', () => {
    expect(
      Object.fromEntries(Object.entries(OKX_PERMISSIONS).map(([k, v]) => [k, v.class])),
    ).toEqual(TOKENS);
    for (const { doc } of Object.values(OKX_PERMISSIONS)) {
      expect(doc).toBe(
        'https://www.okx.com/docs-v5/en/#trading-account-rest-api-get-account-configuration',
      );
    }
  });
});
