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
import documented from './__fixtures__/api-restrictions.json' with { type: 'json' };
import documentedZh from './__fixtures__/api-restrictions-zh.json' with { type: 'json' };
import { BINANCE_PERMISSIONS, readApiRestrictions, verifyBinanceKey } from './index.js';

// How the Binance documentation describes each flag, written out here (not read from the table).
const FLAGS = {
  enableReading: 'read',
  enableFixReadOnly: 'read',
  enableSpotAndMarginTrading: 'trade',
  enableMargin: 'trade',
  enableFutures: 'trade',
  enableVanillaOptions: 'trade',
  enablePortfolioMarginTrading: 'trade',
  enableFixApiTrade: 'trade',
  enableInternalTransfer: 'transfer',
  permitsUniversalTransfer: 'transfer',
  enableWithdrawals: 'withdraw',
} as const;
type Flag = keyof typeof FLAGS;
const FLAG_NAMES = Object.keys(FLAGS) as Flag[];
const READ_TRADE = FLAG_NAMES.filter((f) => FLAGS[f] === 'read' || FLAGS[f] === 'trade');

/** Every documented flag false but reading: the answer of a fresh read-only key. */
const ALL_OFF: Record<string, unknown> = {
  ipRestrict: false,
  createTime: 1698645219000,
  ...Object.fromEntries(FLAG_NAMES.map((f) => [f, false])),
  enableReading: true,
};

const SECRET = (i: number) => `CANARYSECRETbnaudit${String(i).padStart(4, '0')}abcdef0123456789`;
const KEY = (i: number) => `AUDITbn${String(i).padStart(4, '0')}0123456789abcdef0123456789abcdef`;

interface Case {
  name: string;
  body: unknown;
}
const cases: Case[] = [];
function addCase(name: string, body: unknown): number {
  cases.push({ name, body });
  return cases.length - 1;
}
const credsOf = (i: number) =>
  getCredentials('binance', { env: { BINANCE_API_KEY: KEY(i), BINANCE_API_SECRET: SECRET(i) } });

/** `assertSafeKey`'s verdict, less the no-IP-whitelist warning, which every key here gets. */
const verdict = (report: KeyReport, policy: KeyPolicy) =>
  policyVerdict(report, policy, { ignoreWarnings: /no IP whitelist/ });

function expectNoCanary(text: string) {
  expect(text.length).toBeGreaterThan(0);
  expect(text).not.toMatch(/CANARYSECRET/);
}

// Each documented flag alone, every pair, and all of them at once.
const combos: Flag[][] = [
  ...FLAG_NAMES.map((f) => [f]),
  ...FLAG_NAMES.flatMap((a, i) => FLAG_NAMES.slice(i + 1).map((b) => [a, b])),
  FLAG_NAMES,
];
const comboIndex = combos.map((on) =>
  addCase(on.join('+'), { ...ALL_OFF, ...Object.fromEntries(on.map((f) => [f, true])) }),
);

let sandbox: Sandbox;
const verify = (i: number) => verifyBinanceKey(credsOf(i), { baseUrl: sandbox.url });
const failure = (i: number) => expectVerificationFailure(verify(i), expectNoCanary);

const unreadable: Array<[string, unknown, string]> = [
  ['an empty object', {}, 'ipRestrict'],
  ['a list', [ALL_OFF], '(the whole body)'],
  ['null', null, '(the whole body)'],
  ['no enableWithdrawals', { ...ALL_OFF, enableWithdrawals: undefined }, 'enableWithdrawals'],
  [
    'enableWithdrawals as a string',
    { ...ALL_OFF, enableWithdrawals: 'false' },
    'enableWithdrawals',
  ],
  ['enableWithdrawals null', { ...ALL_OFF, enableWithdrawals: null }, 'enableWithdrawals'],
  ['no ipRestrict', { ...ALL_OFF, ipRestrict: undefined }, 'ipRestrict'],
  ['ipRestrict as a number', { ...ALL_OFF, ipRestrict: 0 }, 'ipRestrict'],
  ['no enableReading', { ...ALL_OFF, enableReading: undefined }, 'enableReading'],
  [
    'no enableSpotAndMarginTrading',
    { ...ALL_OFF, enableSpotAndMarginTrading: undefined },
    'enableSpotAndMarginTrading',
  ],
  ['enableFixApiTrade as 1', { ...ALL_OFF, enableFixApiTrade: 1 }, 'enableFixApiTrade'],
  [
    'a malformed tradingAuthorityExpirationTime',
    { ...ALL_OFF, tradingAuthorityExpirationTime: 'soon' },
    'tradingAuthorityExpirationTime',
  ],
].map(([name, body, field]) => [name as string, body, field as string]);
const unreadableIndex = unreadable.map(([name, body]) => addCase(`unreadable: ${name}`, body));

const unknown: Array<[string, Record<string, unknown>, string]> = [
  ['an unknown flag that is true', { enableFoo: true }, 'enableFoo'],
  ['an unknown field that is not false', { enableFoo: 'yes' }, 'enableFoo'],
  ['a wrong-case withdraw flag', { EnableWithdrawals: true }, 'EnableWithdrawals'],
  ['a wrong-separator withdraw flag', { enable_withdrawals: true }, 'enable_withdrawals'],
];
const unknownIndex = unknown.map(([name, extra]) =>
  addCase(`unknown: ${name}`, { ...ALL_OFF, ...extra }),
);

const documentedIndex = addCase('documented example', documented);
const readOnlyIndex = addCase('documented example, no trading', {
  ...documented,
  enablePortfolioMarginTrading: false,
});
const zhIndex = addCase('documented example (zh), transfers on', documentedZh);
const unknownFalseIndex = addCase('an unknown flag that is false', {
  ...ALL_OFF,
  enableFoo: false,
});
const lapsedIndex = addCase('lapsed trading authority', {
  ...ALL_OFF,
  enableSpotAndMarginTrading: true,
  tradingAuthorityExpirationTime: Date.parse('2020-01-01T00:00:00Z'),
});
const expiringIndex = addCase('trading authority expiring', {
  ...ALL_OFF,
  enableSpotAndMarginTrading: true,
  tradingAuthorityExpirationTime: Date.now() + 10.5 * 86_400_000,
});
// Native flags (not raw bodies) through the sandbox's own apiRestrictions answer.
const NATIVE_FIX = 9000;
const NATIVE_LIMITED = 9001;
const NATIVE_DENIED = 9002;
const NATIVE_TESTNET = 9003;

beforeAll(async () => {
  const keys: SandboxKey[] = cases.map((c, i) => ({
    exchange: 'binance',
    apiKey: KEY(i),
    apiSecret: SECRET(i),
    keyInfoBody: c.body,
  }));
  const key = (i: number, extra: Partial<SandboxKey>): SandboxKey => ({
    exchange: 'binance',
    apiKey: KEY(i),
    apiSecret: SECRET(i),
    ...extra,
  });
  keys.push(
    key(NATIVE_FIX, {
      nativePermissions: { enableSpotAndMarginTrading: false, enableFixApiTrade: true },
    }),
    key(NATIVE_LIMITED, { failWith: 'rate-limited' }),
    key(NATIVE_DENIED, { failWith: 'permission-denied' }),
    key(NATIVE_TESTNET, { environment: 'testnet' }),
  );
  sandbox = await startSandbox({ keys });
});
afterAll(() => sandbox?.close());

describe('Binance audit: every documented flag, alone and in pairs, through the sandbox', () => {
  it.each(combos.map((on, n) => [on.join(' + '), on, comboIndex[n] as number] as const))(
    '%s',
    async (_name, on, index) => {
      const report = await verify(index);
      const classes = on.map((f) => FLAGS[f]);
      const withdraws = classes.includes('withdraw');
      const trades = classes.includes('trade');
      const transfers = classes.includes('transfer');
      expect(report.permissions.grants.map((g) => g.name).sort()).toEqual(
        ['enableReading', ...on].filter((f, i, all) => all.indexOf(f) === i).sort(),
      );
      const trade = verdict(report, { purpose: 'trade' });
      const data = verdict(report, { purpose: 'data' });
      if (withdraws) {
        expect(trade).toMatchObject({ accepted: false, reasons: ['withdraw-enabled'] });
        expect(data.accepted).toBe(false);
        if (!data.accepted) expect(data.reasons).toContain('withdraw-enabled');
      } else {
        expect(trade.accepted).toBe(true);
        expect(data).toMatchObject(
          trades ? { accepted: false, reasons: ['trade-on-data-key'] } : { accepted: true },
        );
      }
      if (trade.accepted) {
        const warned = trade.warnings.some((w) =>
          /transfer funds between your own accounts/.test(w),
        );
        expect(warned).toBe(transfers);
      }
    },
  );
});

describe('Binance audit: what exkeys cannot read or does not know is refused', () => {
  it.each(unreadable.map(([name, _b, field], n) => [name, field, unreadableIndex[n] as number]))(
    '%s → unreadable-response naming %s',
    async (_name, field, index) => {
      const error = await failure(index as number);
      expect({ reason: error.reason, field: error.field, endpoint: error.endpoint }).toEqual({
        reason: 'unreadable-response',
        field,
        endpoint: 'GET /sapi/v1/account/apiRestrictions',
      });
      expect(error.message).toContain(`the field ${field} is missing or malformed`);
    },
  );

  it.each(unknown.map(([name, _e, flag], n) => [name, flag, unknownIndex[n] as number]))(
    '%s (%s) → unknown-permission, for trade and data keys',
    async (_name, flag, index) => {
      const report = await verify(index as number);
      for (const purpose of ['trade', 'data'] as const) {
        const result = verdict(report, { purpose });
        expect(result.accepted).toBe(false);
        if (result.accepted) continue;
        expect(result.reasons).toContain('unknown-permission');
        expect(result.message).toContain(`binance:${flag}`);
        expectNoCanary(result.message);
      }
      // Accepted knowingly, it passes with a warning that exkeys did not audit it.
      if (flag !== 'EnableWithdrawals' && flag !== 'enable_withdrawals') {
        const accepted = verdict(report, {
          purpose: 'trade',
          allowPermissions: [`binance:${flag}`],
        });
        expect(accepted).toMatchObject({ accepted: true });
      }
    },
  );
});

describe('Binance audit: controls', () => {
  it('accepts the documented example as a trade key, and refuses it as a data key', async () => {
    const report = await verify(documentedIndex);
    expect(report.permissions).toMatchObject({ read: true, trade: true, withdraw: false });
    expect(verdict(report, { purpose: 'trade' })).toEqual({ accepted: true, warnings: [] });
    expect(verdict(report, { purpose: 'data' })).toMatchObject({
      accepted: false,
      reasons: ['trade-on-data-key'],
    });
  });

  it('accepts the documented example without trading as a read-only key, for trade and data', async () => {
    const report = await verify(readOnlyIndex);
    expect(report.permissions.grants).toEqual([
      { name: 'enableReading', class: 'read' },
      { name: 'enableFixReadOnly', class: 'read' },
    ]);
    for (const purpose of ['trade', 'data'] as const) {
      expect(verdict(report, { purpose })).toEqual({ accepted: true, warnings: [] });
    }
  });

  it('accepts the zh example, with the core transfer warning naming both flags', async () => {
    const report = await verify(zhIndex);
    const result = verdict(report, { purpose: 'trade' });
    expect(result.accepted).toBe(true);
    if (result.accepted) {
      expect(result.warnings).toEqual([
        expect.stringMatching(/enableInternalTransfer, permitsUniversalTransfer/),
      ]);
    }
  });

  it('ignores an unknown flag that is false', async () => {
    const report = await verify(unknownFalseIndex);
    expect(verdict(report, { purpose: 'data' })).toEqual({ accepted: true, warnings: [] });
  });

  it('treats a lapsed trading authority as no spot trading, and counts the days to expiry', async () => {
    const lapsed = await verify(lapsedIndex);
    expect(lapsed.permissions.trade).toBe(false);
    expect(lapsed.expiresInDays).toBe(0);
    expect(lapsed.warnings).toEqual([expect.stringMatching(/trading authority expired/)]);
    expect(verdict(lapsed, { purpose: 'data' }).accepted).toBe(true);
    const expiring = await verify(expiringIndex);
    expect(expiring.permissions.trade).toBe(true);
    expect(expiring.expiresInDays).toBe(10);
    expect(expiring.expiresAt).not.toBeNull();
  });

  it('reads native flags as the sandbox reports them: a FIX-trading key is no data key', async () => {
    const report = await verify(NATIVE_FIX);
    expect(report.permissions.grants).toContainEqual({ name: 'enableFixApiTrade', class: 'trade' });
    expect(verdict(report, { purpose: 'data' })).toMatchObject({
      accepted: false,
      reasons: ['trade-on-data-key'],
    });
  });
});

describe('Binance audit: the answers Binance sends, from the sandbox', () => {
  it('-1003 with HTTP 429, then the HTTP 418 ban, → rate-limited with Retry-After', async () => {
    const first = await failure(NATIVE_LIMITED);
    expect(first).toMatchObject({
      reason: 'rate-limited',
      exchangeCode: '-1003',
      retryAfterMs: 60_000,
    });
    expect(first.message).toMatch(/Wait, then retry.*asks to wait 60 s/);
    await failure(NATIVE_LIMITED);
    const banned = await failure(NATIVE_LIMITED);
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 418, errorCode: '-1003' });
    expect(banned).toMatchObject({ reason: 'rate-limited', retryAfterMs: 120_000 });
  });

  it('-2015 for a missing permission → invalid-key, naming the four causes', async () => {
    const error = await failure(NATIVE_DENIED);
    expect(error).toMatchObject({ reason: 'invalid-key', exchangeCode: '-2015' });
    expect(error.message).toMatch(/missing permission, and a key of another environment/);
  });

  it('-2008 for a testnet key on the live API → invalid-key, saying it may be another environment', async () => {
    const error = await failure(NATIVE_TESTNET);
    expect(error).toMatchObject({ reason: 'invalid-key', exchangeCode: '-2008' });
    expect(error.message).toMatch(/another environment/);
  });
});

describe('Binance audit: property', () => {
  const junk = fc.oneof(fc.boolean(), fc.constant(null), fc.integer(), fc.string({ maxLength: 4 }));
  const RESERVED = new Set([
    'ipRestrict',
    'createTime',
    'tradingAuthorityExpirationTime',
    '__proto__',
  ]);
  const TRANSFER = new Set(FLAG_NAMES.filter((f) => FLAGS[f] === 'transfer'));
  const name = fc.oneof(
    fc.constantFrom(...READ_TRADE, 'enableWithdrawals'),
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((n) => !RESERVED.has(n) && !TRANSFER.has(n as Flag)),
  );
  const extras = fc.dictionary(
    name,
    fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: junk }),
    { maxKeys: 6 },
  );
  const outside = (extra: Record<string, unknown>) =>
    Object.entries(extra).some(([k, v]) =>
      READ_TRADE.includes(k as Flag) ? typeof v !== 'boolean' : v !== false,
    );
  const judge = (response: unknown) =>
    readerOutcome('binance', () => readApiRestrictions(response), { purpose: 'trade' });

  it('refuses every answer holding a value outside the read and trade tables (reader)', () => {
    fc.assert(
      fc.property(extras, (extra) => {
        const verdict = judge({ ...ALL_OFF, ...extra });
        expect(verdict).toBe(outside(extra) ? 'refused' : 'accepted');
      }),
      { numRuns: 500 },
    );
  });

  it('does the same through the sandbox over HTTP', async () => {
    await fc.assert(
      fc.asyncProperty(extras, async (extra) => {
        const probe = await startSandbox({
          keys: [
            {
              exchange: 'binance',
              apiKey: KEY(1),
              apiSecret: SECRET(1),
              keyInfoBody: { ...ALL_OFF, ...extra },
            },
          ],
        });
        try {
          const verdict = await auditOutcome(verifyBinanceKey(credsOf(1), { baseUrl: probe.url }), {
            purpose: 'trade',
          });
          expect(verdict).toBe(outside(extra) ? 'refused' : 'accepted');
        } finally {
          await probe.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('classifies every documented flag as the documentation does', () => {
    expect(
      Object.fromEntries(Object.entries(BINANCE_PERMISSIONS).map(([k, v]) => [k, v.class])),
    ).toEqual(FLAGS);
    for (const entry of Object.values(BINANCE_PERMISSIONS)) {
      expect(entry.doc).toBe(
        'https://developers.binance.com/docs/wallet/account/api-key-permission',
      );
    }
  });
});
