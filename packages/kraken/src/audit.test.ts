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
import errors from './__fixtures__/errors.json' with { type: 'json' };
import documented from './__fixtures__/get-api-key-info.json' with { type: 'json' };
import { KRAKEN_PERMISSIONS, readApiKeyInfo, verifyKrakenKey } from './index.js';

// The names Kraken documents for `permissions`, with their meaning, written out here (not read
// from the table): https://docs.kraken.com/api-reference/account-data/get-api-key-info
const NAMES = {
  'query-funds': 'read',
  'query-open-trades': 'read',
  'modify-trades': 'trade',
  'withdraw-funds': 'withdraw',
} as const;
type Name = keyof typeof NAMES;

// 56-character keys and valid base64 private keys (whole 4-character groups of letters and digits).
const KEY = (i: number) => `CANARYkrakenAUDITkey${String(i).padStart(4, '0')}`.padEnd(56, 'k');
const SECRET = (i: number) =>
  `CANARYSECRETkrakenAUDIT${String(i).padStart(4, '0')}`.padEnd(88, 'A');
const credsOf = (i: number) =>
  getCredentials('kraken', { env: { KRAKEN_API_KEY: KEY(i), KRAKEN_API_SECRET: SECRET(i) } });

const result = documented.result as Record<string, unknown>;
/** The documented answer with fields of `result` replaced. */
const withResult = (fields: Record<string, unknown>) => ({
  ...documented,
  result: { ...result, ...fields },
});

const bodies: unknown[] = [];
const add = (body: unknown) => bodies.push(body) - 1;

// Every documented name alone, all of them, and the safe combinations.
const sets: Name[][] = [
  ['query-funds'],
  ['query-open-trades'],
  ['modify-trades'],
  ['withdraw-funds'],
  ['query-funds', 'query-open-trades'],
  ['query-funds', 'query-open-trades', 'modify-trades'],
  ['modify-trades', 'query-funds'],
  ['query-funds', 'withdraw-funds'],
  ['withdraw-funds', 'modify-trades', 'query-open-trades', 'query-funds'],
];
const setIndex = sets.map((names) => add(withResult({ permissions: names })));

type Expect = 'safe' | 'trade' | 'withdraw' | 'unknown';
// Names match exactly: another case, spelling or separator is a name exkeys does not know.
const spelled: Array<[string[], Expect, string?]> = [
  [[], 'safe'],
  [['Query-Funds'], 'unknown', 'Query-Funds'],
  [['query_funds'], 'unknown', 'query_funds'],
  [['query-funds', 'WITHDRAW-FUNDS'], 'unknown', 'WITHDRAW-FUNDS'],
  [['query-funds,modify-trades'], 'unknown', 'query-funds,modify-trades'],
  [['query-funds', 'deposit-funds'], 'unknown', 'deposit-funds'],
  [['query-funds', 'export-data'], 'unknown', 'export-data'],
  [['query-funds', ''], 'unknown', '(empty permission)'],
  [['withdraw-funds', 'earn-funds'], 'withdraw'],
];
const spelledIndex = spelled.map(([permissions]) => add(withResult({ permissions })));

const unreadable: Array<[string, unknown, string]> = [
  ['a list', [result], '(the whole body)'],
  ['no result', { error: [] }, 'result'],
  ['result as a list', { error: [], result: [result] }, 'result'],
  ['no permissions', withResult({ permissions: undefined }), 'result.permissions'],
  ['permissions as a string', withResult({ permissions: 'query-funds' }), 'result.permissions'],
  ['a permission that is a number', withResult({ permissions: [1] }), 'result.permissions.0'],
  ['no ipAllowlist', withResult({ ipAllowlist: undefined }), 'result.ipAllowlist'],
  ['ipAllowlist as a string', withResult({ ipAllowlist: '1.2.3.4' }), 'result.ipAllowlist'],
  ['an allowlist entry that is null', withResult({ ipAllowlist: [null] }), 'result.ipAllowlist.0'],
  ['no validUntil', withResult({ validUntil: undefined }), 'result.validUntil'],
  ['validUntil as a date', withResult({ validUntil: '2030-01-01' }), 'result.validUntil'],
  ['a negative validUntil', withResult({ validUntil: -1 }), 'result.validUntil'],
];
const unreadableIndex = unreadable.map(([, body]) => add(body));

const boundIndex = add(
  withResult({ permissions: ['query-funds', 'modify-trades'], ipAllowlist: ['203.0.113.7/32'] }),
);
const everywhereIndex = add(
  withResult({ permissions: ['query-funds'], ipAllowlist: ['0.0.0.0/0'] }),
);
const expiringIndex = add(withResult({ permissions: ['query-funds'], validUntil: '1900000000' }));
const numericIndex = add(withResult({ permissions: ['query-funds'], validUntil: 0 }));
const documentedIndex = add(documented);

const NATIVE = 9000;
const LIMITED = 9001;
const LOCKED = 9002;
const DENIED = 9003;

let sandbox: Sandbox;
beforeAll(async () => {
  const key = (i: number, extra: Partial<SandboxKey>): SandboxKey => ({
    exchange: 'kraken',
    apiKey: KEY(i),
    apiSecret: SECRET(i),
    ...extra,
  });
  sandbox = await startSandbox({
    keys: [
      ...bodies.map((keyInfoBody, i) => key(i, { keyInfoBody })),
      key(NATIVE, { nativePermissions: ['query-funds', 'withdraw-funds', 'modify-trades'] }),
      key(LIMITED, { failWith: 'rate-limited' }),
      key(LOCKED, { failWith: 'ip-banned' }),
      key(DENIED, { failWith: 'permission-denied' }),
    ],
  });
});
afterAll(() => sandbox?.close());

const verify = (i: number) => verifyKrakenKey(credsOf(i), { baseUrl: sandbox.url });

/** `assertSafeKey`'s verdict, less the no-IP-whitelist warning, which most keys here get. */
const verdict = (report: KeyReport, policy: KeyPolicy) =>
  policyVerdict(report, policy, { ignoreWarnings: /no IP whitelist/ });

function expectNoCanary(text: string) {
  expect(text.length).toBeGreaterThan(0);
  expect(text).not.toMatch(/CANARYSECRET/);
  expect(text).not.toMatch(/CANARYk/);
}

const failure = (i: number) => expectVerificationFailure(verify(i), expectNoCanary);

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
          expect(v.message).toContain(`kraken:${unknownName}`);
          expectNoCanary(v.message);
        }
      }
      break;
  }
}

const expectOf = (names: readonly string[]): Expect =>
  names.includes('withdraw-funds')
    ? 'withdraw'
    : names.includes('modify-trades')
      ? 'trade'
      : 'safe';

describe('Kraken audit: every documented permission, alone and combined, through the sandbox', () => {
  it.each(sets.map((names, n) => [names.join(' + '), names, setIndex[n] as number] as const))(
    'permissions %s',
    async (_label, names, index) => {
      const report = await verify(index);
      expect(report.permissions.grants).toEqual(
        names.map((name) => ({ name, class: NAMES[name] })),
      );
      expect(report).toMatchObject({ ipRestricted: false, expiresAt: null });
      expectVerdicts(report, expectOf(names));
    },
  );

  it.each(
    spelled.map(([names, want, name], n) => [
      JSON.stringify(names),
      want,
      name,
      spelledIndex[n] as number,
    ]),
  )('permissions %s → %s', async (_label, want, name, index) => {
    expectVerdicts(await verify(index as number), want as Expect, name as string | undefined);
  });
});

describe('Kraken audit: what exkeys cannot read is refused, naming the field', () => {
  it.each(unreadable.map(([name, , field], n) => [name, field, unreadableIndex[n] as number]))(
    '%s → unreadable-response (%s)',
    async (_name, field, index) => {
      const error = await failure(index as number);
      expect({ reason: error.reason, field: error.field, endpoint: error.endpoint }).toEqual({
        reason: 'unreadable-response',
        field,
        endpoint: 'POST /0/private/GetApiKeyInfo',
      });
    },
  );
});

describe('Kraken audit: controls', () => {
  it('reads the IP allowlist: an address binds the key, 0.0.0.0/0 does not', async () => {
    const bound = await verify(boundIndex);
    expect(bound.ipRestricted).toBe(true);
    expect(policyVerdict(bound, { purpose: 'trade', requireIpWhitelist: true })).toEqual({
      accepted: true,
      warnings: [],
    });
    const everywhere = await verify(everywhereIndex);
    expect(everywhere.ipRestricted).toBe(false);
    expect(policyVerdict(everywhere, { purpose: 'data', requireIpWhitelist: true })).toMatchObject({
      accepted: false,
      reasons: ['no-ip-whitelist'],
    });
  });

  it('reads validUntil as the expiry (Unix seconds; 0 is none)', async () => {
    expect((await verify(expiringIndex)).expiresAt).toBe(new Date(1_900_000_000_000).toISOString());
    expect((await verify(numericIndex)).expiresAt).toBeNull();
  });

  it('refuses the documented example, which can withdraw', async () => {
    const report = await verify(documentedIndex);
    expect(report.permissions.grants).toContainEqual({ name: 'withdraw-funds', class: 'withdraw' });
    expectVerdicts(report, 'withdraw');
  });

  it("reads the sandbox's native permissions as Kraken reports them", async () => {
    const report = await verify(NATIVE);
    expect(report.permissions).toMatchObject({ trade: true, withdraw: true });
    expectVerdicts(report, 'withdraw');
  });
});

describe('Kraken audit: the answers Kraken sends, from the sandbox', () => {
  it.each([
    [LIMITED, 'EAPI:Rate limit exceeded'],
    [LOCKED, 'EGeneral:Temporary lockout'],
  ])('key %i: %s → rate-limited', async (index, code) => {
    expect(Object.keys(errors)).toContain(code);
    const error = await failure(index);
    expect(error).toMatchObject({ reason: 'rate-limited', exchangeCode: code });
    expect(error.message).toMatch(/Wait, then retry/);
    expect(sandbox.requests.at(-1)).toMatchObject({ ok: false, errorCode: code });
  });

  it('EGeneral:Permission denied → permission-denied, with the allowlist hint', async () => {
    const error = await failure(DENIED);
    expect(error).toMatchObject({
      reason: 'permission-denied',
      exchangeCode: 'EGeneral:Permission denied',
    });
    expect(error.message).toContain('IP allowlist');
  });

  it('EAPI:Invalid nonce → clock-skew, saying that one key serves one process', async () => {
    const creds = credsOf(setIndex[0] as number);
    await verifyKrakenKey(creds, { baseUrl: sandbox.url });
    const error = await expectVerificationFailure(
      verifyKrakenKey(creds, {
        baseUrl: sandbox.url,
        ccxt: { options: { timeDifference: 60_000 } },
      }),
      expectNoCanary,
    );
    expect(error).toMatchObject({ reason: 'clock-skew', exchangeCode: 'EAPI:Invalid nonce' });
    expect(error.message).toContain('one Kraken key serves one process');
    // Control: the next call without the skew is accepted again.
    await expect(verifyKrakenKey(creds, { baseUrl: sandbox.url })).resolves.toMatchObject({
      exchange: 'kraken',
    });
  });
});

describe('Kraken audit: the error fixture matches ccxt 4.5.84', () => {
  it('names the class ccxt raises for each mapped error (null: none, a plain ExchangeError)', async () => {
    const { kraken } = await import('ccxt');
    const exact = new kraken().exceptions.exact as Record<string, { name: string } | undefined>;
    for (const [code, { body, ccxt }] of Object.entries(errors)) {
      expect(body).toEqual({ error: [code] });
      expect(exact[code]?.name ?? null, code).toBe(ccxt);
    }
  });
});

describe('Kraken audit: property', () => {
  const name = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('query-funds', 'query-open-trades', 'modify-trades') },
    { weight: 1, arbitrary: fc.constantFrom('withdraw-funds', 'Query-Funds', '') },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const lists = fc.array(name, { maxLength: 5 });
  const outside = (names: readonly string[]) =>
    names.some((n) => !['query-funds', 'query-open-trades', 'modify-trades'].includes(n));
  const judge = (response: unknown) =>
    readerOutcome('kraken', () => readApiKeyInfo(response), { purpose: 'trade' });

  it('refuses every list holding a name outside the read and trade entries (reader)', () => {
    fc.assert(
      fc.property(lists, (permissions) => {
        expect(judge(withResult({ permissions }))).toBe(
          outside(permissions) ? 'refused' : 'accepted',
        );
      }),
      { numRuns: 500 },
    );
  });

  it('does the same through the sandbox over HTTP', async () => {
    await fc.assert(
      fc.asyncProperty(lists, async (permissions) => {
        const probe = await startSandbox({
          keys: [
            {
              exchange: 'kraken',
              apiKey: KEY(1),
              apiSecret: SECRET(1),
              nativePermissions: permissions,
            },
          ],
        });
        try {
          const outcome = await auditOutcome(verifyKrakenKey(credsOf(1), { baseUrl: probe.url }), {
            purpose: 'trade',
          });
          expect(outcome).toBe(outside(permissions) ? 'refused' : 'accepted');
        } finally {
          await probe.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('classifies the documented names as the documentation does', () => {
    expect(
      Object.fromEntries(Object.entries(KRAKEN_PERMISSIONS).map(([k, v]) => [k, v.class])),
    ).toEqual(NAMES);
    for (const { doc } of Object.values(KRAKEN_PERMISSIONS)) {
      expect(doc).toBe('https://docs.kraken.com/api-reference/account-data/get-api-key-info');
    }
    // The fixture is the documented example, with all four names.
    expect([...documented.result.permissions].sort()).toEqual(Object.keys(NAMES).sort());
  });
});
