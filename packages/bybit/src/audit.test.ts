import { readFileSync } from 'node:fs';
import {
  assertSafeKey,
  getCredentials,
  type KeyPolicy,
  type KeyReport,
  KeyVerificationError,
  UnsafeKeyError,
} from '@exkeys/credentials';
import { expectVerificationFailure, policyVerdict } from '@exkeys/credentials/testing';
import { type Sandbox, type SandboxKey, startSandbox } from '@exkeys/sandbox';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BYBIT_PERMISSIONS, verifyBybitKey } from './index.js';
import { readKeyInfo } from './key-info.js';

type Body = { retCode: number; result: Record<string, unknown> } & Record<string, unknown>;
const fixture = (name: string): Body =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8'));

/**
 * Every value Bybit documents, with the class the docs give it, written out here rather than read
 * from the table, so a misfiled entry fails. Sources: apikey-info (query-api), modify-master-apikey
 * (update-api), create-subuid-apikey, and the v5 changelog (FiatBybitPay → FiatBitPay).
 */
const DOCUMENTED = {
  'ContractTrade.Order': 'trade',
  'ContractTrade.Position': 'trade',
  'Spot.SpotTrade': 'trade',
  'Options.OptionsTrade': 'trade',
  'Derivatives.DerivativesTrade': 'trade',
  'CopyTrading.CopyTrading': 'trade',
  'BlockTrade.BlockTrade': 'trade',
  'Exchange.ExchangeHistory': 'trade',
  'Earn.Earn': 'trade',
  'Wallet.AccountTransfer': 'transfer',
  'Wallet.SubMemberTransfer': 'transfer',
  'Wallet.SubMemberTransferList': 'transfer',
  'Wallet.Withdraw': 'withdraw',
  'FiatP2P.FiatP2POrder': 'payout',
  'FiatP2P.Advertising': 'payout',
  'FiatBitPay.FaitPayOrder': 'payout',
  'FiatBybitPay.FaitPayOrder': 'payout',
  'FiatConvertBroker.FiatConvertBrokerOrder': 'payout',
  'BitCard.BitCard': 'payout',
  'Affiliate.Affiliate': 'read',
  'ByXPost.ByXPost': 'read',
  'NFT.NFTQueryProductList': 'read',
} as const;
type Name = keyof typeof DOCUMENTED;
const NAMES = Object.keys(DOCUMENTED) as Name[];

/** What `assertSafeKey` must say for a key holding `names`, for each purpose. */
function verdict(names: readonly Name[], purpose: 'trade' | 'data'): string[] {
  const classes = new Set(names.map((n) => DOCUMENTED[n]));
  const reasons: string[] = [];
  if (classes.has('withdraw') || classes.has('payout')) reasons.push('withdraw-enabled');
  if (purpose === 'data' && classes.has('trade')) reasons.push('trade-on-data-key');
  return reasons;
}

function groupsOf(names: readonly string[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const name of names) {
    const [group = '', value = ''] = name.split('.');
    groups[group] = [...(groups[group] ?? []), value];
  }
  return groups;
}

/** The reasons `assertSafeKey` refuses with, `[]` for a key it accepts. */
/** The reasons `assertSafeKey` refuses the report for, or none. */
function refusal(report: KeyReport, policy: KeyPolicy): string[] {
  const verdict = policyVerdict(report, policy);
  return verdict.accepted ? [] : verdict.reasons;
}

let counter = 0;
const SECRETS: string[] = [];
/** A canary key: 18 letters and digits, a 36-character secret that must never be printed. */
function key(extra: Partial<SandboxKey>): SandboxKey {
  counter += 1;
  const n = String(counter).padStart(5, '0');
  const apiSecret = `CANARYSECRETbybit${n}`.padEnd(36, 'x');
  SECRETS.push(apiSecret);
  // Bound to the loopback address, so that no "no IP whitelist" warning mixes in.
  const apiKey = `CANARYbybitK${n.padStart(6, '0')}`;
  return { exchange: 'bybit', apiKey, apiSecret, ips: ['127.0.0.1'], ...extra };
}
const credsOf = (k: SandboxKey) =>
  getCredentials('bybit', { env: { BYBIT_API_KEY: k.apiKey, BYBIT_API_SECRET: k.apiSecret } });

function expectNoSecret(text: string) {
  expect(text.length).toBeGreaterThan(0);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const alone = NAMES.map((name) => ({
  names: [name],
  key: key({ nativePermissions: groupsOf([name]) }),
}));
const pairs = NAMES.flatMap((a, i) =>
  NAMES.slice(i + 1).map((b) => ({
    names: [a, b],
    key: key({ nativePermissions: groupsOf([a, b]) }),
  })),
);
const everything = { names: NAMES, key: key({ nativePermissions: groupsOf(NAMES) }) };

const withBody = (result: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  key({ keyInfoBody: { retCode: 0, retMsg: '', result, retExtInfo: {}, time: 1, ...top } });
const documented = fixture('query-api');
const base = documented.result;
const empty = Object.fromEntries(
  Object.keys(base.permissions as object).map((group) => [group, [] as string[]]),
);

const safeTrade = withBody({
  ...base,
  readOnly: 0,
  permissions: {
    ...empty,
    ContractTrade: ['Order', 'Position'],
    Spot: ['SpotTrade'],
    Derivatives: ['DerivativesTrade'],
  },
});
const readOnlyKey = withBody({ ...base, readOnly: 1, permissions: empty });

let sandbox: Sandbox;
const dynamic: SandboxKey[] = [];
const keys = () => [...alone, ...pairs, everything].map((c) => c.key);
beforeAll(async () => {
  sandbox = await startSandbox({ keys: [...keys(), safeTrade, readOnlyKey, ...dynamic] });
});
afterAll(() => sandbox.close());

const verify = (k: SandboxKey) => verifyBybitKey(credsOf(k), { baseUrl: sandbox.url });

/** Registers a key to serve before the sandbox starts; for tests defined below. */
function later(extra: Partial<SandboxKey>): SandboxKey {
  const k = key(extra);
  dynamic.push(k);
  return k;
}

describe('the Bybit permission table', () => {
  it('holds exactly the documented values, each with its class and a Bybit documentation page', () => {
    expect(Object.keys(BYBIT_PERMISSIONS).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) {
      expect(BYBIT_PERMISSIONS[name]?.class, name).toBe(DOCUMENTED[name]);
      expect(BYBIT_PERMISSIONS[name]?.doc).toMatch(/^https:\/\/bybit-exchange\.github\.io\/docs\//);
    }
  });
});

describe('verifyBybitKey over HTTP: every documented value alone, in pairs and all together', () => {
  it.each([
    ['alone', alone],
    ['in pairs', pairs],
    ['all together', [everything]],
  ] as const)('%s: assertSafeKey decides as the documented classes say', async (_label, cases) => {
    for (const { names, key: k } of cases) {
      const report = await verify(k);
      expect(report.permissions.grants).toEqual(
        names.map((name) => ({ name, class: DOCUMENTED[name] })),
      );
      for (const purpose of ['trade', 'data'] as const) {
        expect(refusal(report, { purpose }), `${names.join('+')} as a ${purpose} key`).toEqual(
          verdict(names, purpose),
        );
      }
      const transfers = names.filter((n) => DOCUMENTED[n] === 'transfer');
      if (transfers.length > 0 && verdict(names, 'trade').length === 0) {
        expect(assertSafeKey(report, { purpose: 'trade' }).warnings).toEqual([
          expect.stringContaining(
            `transfer funds between your own accounts (${transfers.join(', ')})`,
          ),
        ]);
      }
    }
  });

  it('refuses a fund-moving key with the permissions named, and never as unknown', async () => {
    const report = await verify(everything.key);
    const error = (() => {
      try {
        assertSafeKey(report, { purpose: 'trade' });
      } catch (e) {
        return e as UnsafeKeyError;
      }
      throw new Error('accepted');
    })();
    expect(error.reasons).toEqual(['withdraw-enabled']);
    expect(error.permissions.map((p) => p.name).sort()).toEqual(
      NAMES.filter((n) => ['withdraw', 'payout'].includes(DOCUMENTED[n])).sort(),
    );
    expectNoSecret(error.message);
  });
});

describe("Bybit's documented response examples, served as query-api answers", () => {
  const queryApi = withBody(documented.result);
  const updateApi = withBody(fixture('update-api').result);
  const updateSub = withBody(fixture('update-sub-api').result);
  dynamic.push(queryApi, updateApi, updateSub);

  it('query-api: read-only with P2P, Bybit Pay, fiat convert and card → refused; no expiry', async () => {
    const report = await verify(queryApi);
    expect(report).toMatchObject({ ipRestricted: true, expiresAt: null, expiresInDays: null });
    for (const purpose of ['trade', 'data'] as const) {
      expect(refusal(report, { purpose })[0]).toBe('withdraw-enabled');
    }
    expect(report.permissions.grants).toContainEqual({
      name: 'FiatP2P.FiatP2POrder',
      class: 'payout',
    });
    // readOnly: 1 next to trading values: counted as trading, with a warning.
    expect(report.permissions.trade).toBe(true);
    expect(report.warnings).toEqual([expect.stringMatching(/readOnly: 1.*counts them as granted/)]);
  });

  it('update-api (master) and update-sub-api: trade keys with transfers → trade only, with the transfer warning', async () => {
    for (const k of [updateApi, updateSub]) {
      const report = await verify(k);
      expect(report.permissions).toMatchObject({ trade: true, withdraw: false, transfer: true });
      expect(report.expiresAt).toBeNull();
      // Both examples answer `ips: ["*"]`: not bound to an IP.
      expect(report.ipRestricted).toBe(false);
      expect(assertSafeKey(report, { purpose: 'trade' }).warnings).toEqual([
        expect.stringContaining('has no IP whitelist'),
        expect.stringContaining('between your own accounts (Wallet.AccountTransfer'),
      ]);
      expect(refusal(report, { purpose: 'data' })).toEqual(['trade-on-data-key']);
    }
  });

  it('controls: the safe trade key and the read-only key are accepted', async () => {
    const trade = await verify(safeTrade);
    expect(assertSafeKey(trade, { purpose: 'trade' })).toEqual({ warnings: [] });
    expect(refusal(trade, { purpose: 'data' })).toEqual(['trade-on-data-key']);
    const read = await verify(readOnlyKey);
    expect(read.permissions).toEqual({
      read: true,
      trade: false,
      withdraw: false,
      transfer: false,
      grants: [],
    });
    for (const purpose of ['trade', 'data'] as const) {
      expect(assertSafeKey(read, { purpose })).toEqual({ warnings: [] });
    }
  });
});

describe('unknown permissions are refused as unknown, naming them', () => {
  const cases: [string, Record<string, string[]>, string[]][] = [
    ['an unknown group with a value', { Staking: ['Stake'] }, ['Staking.Stake']],
    [
      'FiatGlobalPay, documented only empty, with a value',
      { FiatGlobalPay: ['Pay'] },
      ['FiatGlobalPay.Pay'],
    ],
    ['an unknown value in a known group', { Wallet: ['Borrow'] }, ['Wallet.Borrow']],
    ['a lower-case value', { Wallet: ['withdraw'] }, ['Wallet.withdraw']],
    ['a lower-case group', { wallet: ['Withdraw'] }, ['wallet.Withdraw']],
    ['an upper-case group', { SPOT: ['SpotTrade'] }, ['SPOT.SpotTrade']],
    ['a known value in the wrong group', { Spot: ['Withdraw'] }, ['Spot.Withdraw']],
    [
      'values joined by a comma',
      { Wallet: ['Withdraw,AccountTransfer'] },
      ['Wallet.Withdraw,AccountTransfer'],
    ],
    [
      'values joined by a space',
      { FiatP2P: ['FiatP2POrder Advertising'] },
      ['FiatP2P.FiatP2POrder Advertising'],
    ],
    ['a dotted name as a group', { 'Wallet.Withdraw': ['x'] }, ['Wallet.Withdraw.x']],
    ['padding', { Spot: [' SpotTrade'] }, ['Spot. SpotTrade']],
  ];
  const served = cases.map(([label, groups, names]) => ({
    label,
    names,
    key: later({ nativePermissions: { Spot: ['SpotTrade'], ...groups } }),
  }));
  const emptyUnknown = later({ nativePermissions: { Spot: ['SpotTrade'], Staking: [] } });

  it.each(served.map((c) => [c.label, c] as const))('%s', async (_label, { names, key: k }) => {
    const report = await verify(k);
    for (const purpose of ['trade', 'data'] as const) {
      let error: unknown;
      try {
        assertSafeKey(report, { purpose });
      } catch (e) {
        error = e;
      }
      expect(UnsafeKeyError.isInstance(error)).toBe(true);
      const unsafe = error as UnsafeKeyError;
      expect(unsafe.reasons).toContain('unknown-permission');
      expect(unsafe.reasons).not.toContain('withdraw-enabled');
      expect(unsafe.permissions.filter((p) => p.class === 'unknown').map((p) => p.name)).toEqual(
        names,
      );
      expect(unsafe.message).toContain('exkeys does not know the permission');
      expectNoSecret(unsafe.message);
    }
  });

  it('control: an unknown group that is empty grants nothing', async () => {
    expect(assertSafeKey(await verify(emptyUnknown), { purpose: 'trade' })).toEqual({
      warnings: [],
    });
  });

  it('allowPermissions accepts a named payout group knowingly, never a withdraw', async () => {
    const p2p = await verify(alone.find((c) => c.names[0] === 'FiatP2P.FiatP2POrder')!.key);
    expect(refusal(p2p, { purpose: 'trade' })).toEqual(['withdraw-enabled']);
    expect(
      assertSafeKey(p2p, { purpose: 'trade', allowPermissions: ['bybit:FiatP2P'] }).warnings,
    ).toEqual([expect.stringContaining('accepted by allowPermissions')]);
    const withdraw = await verify(alone.find((c) => c.names[0] === 'Wallet.Withdraw')!.key);
    expect(
      refusal(withdraw, {
        purpose: 'trade',
        allowPermissions: ['bybit:Wallet', 'bybit:Wallet.Withdraw'],
      }),
    ).toEqual(['withdraw-enabled']);
  });
});

describe('answers the audit cannot read are unreadable-response, naming the field', () => {
  const { permissions: _p, readOnly: _r, ...withoutBoth } = base;
  const cases: [string, SandboxKey, string][] = [
    [
      'permissions missing',
      later({ keyInfoBody: { retCode: 0, result: { ...withoutBoth, readOnly: 0 } } }),
      'result.permissions',
    ],
    [
      'permissions a list',
      later({ keyInfoBody: { retCode: 0, result: { ...base, permissions: ['Spot'] } } }),
      'result.permissions',
    ],
    [
      'permissions a string',
      later({ keyInfoBody: { retCode: 0, result: { ...base, permissions: 'Spot' } } }),
      'result.permissions',
    ],
    [
      'a group that is a string',
      later({
        keyInfoBody: { retCode: 0, result: { ...base, permissions: { Wallet: 'Withdraw' } } },
      }),
      'result.permissions.Wallet',
    ],
    [
      'a group holding a number',
      later({ keyInfoBody: { retCode: 0, result: { ...base, permissions: { Spot: [1] } } } }),
      'result.permissions.Spot',
    ],
    [
      'a group that is null',
      later({ keyInfoBody: { retCode: 0, result: { ...base, permissions: { Wallet: null } } } }),
      'result.permissions.Wallet',
    ],
    [
      'readOnly missing',
      later({ keyInfoBody: { retCode: 0, result: { ...withoutBoth, permissions: empty } } }),
      'result.readOnly',
    ],
    [
      'readOnly 2',
      later({ keyInfoBody: { retCode: 0, result: { ...base, readOnly: 2 } } }),
      'result.readOnly',
    ],
    [
      'readOnly true',
      later({ keyInfoBody: { retCode: 0, result: { ...base, readOnly: true } } }),
      'result.readOnly',
    ],
    ['result missing', later({ keyInfoBody: { retCode: 0, retMsg: 'OK' } }), 'result'],
    ['retCode missing', later({ keyInfoBody: { result: base } }), 'retCode'],
    ['a JSON list', later({ keyInfoBody: [base] }), '(the whole body)'],
    [
      'ips a string',
      later({ keyInfoBody: { retCode: 0, result: { ...base, ips: '*' } } }),
      'result.ips',
    ],
    [
      'deadlineDay a word',
      later({ keyInfoBody: { retCode: 0, result: { ...base, deadlineDay: 'never' } } }),
      'result.deadlineDay',
    ],
    [
      'expiredAt not a date',
      later({ keyInfoBody: { retCode: 0, result: { ...base, expiredAt: 'soon' } } }),
      'result.expiredAt',
    ],
  ];

  it.each(cases)('%s', async (_label, k, field) => {
    const error = await verify(k).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(KeyVerificationError.isInstance(error)).toBe(true);
    const failed = error as KeyVerificationError;
    expect(failed).toMatchObject({
      reason: 'unreadable-response',
      endpoint: 'GET /v5/user/query-api',
      field,
    });
    expect(failed.message).toContain(`the field ${field} is missing or malformed`);
    expect(failed.message).not.toContain('13.212.45.47'); // nothing of the body
    expectNoSecret(failed.message + JSON.stringify(failed) + String(failed.stack));
  });
});

describe('expiry', () => {
  const at = '2027-03-01T00:00:00Z';
  const expiring = later({
    keyInfoBody: { retCode: 0, result: { ...base, deadlineDay: 30, expiredAt: at } },
  });
  const negative = later({
    keyInfoBody: { retCode: 0, result: { ...base, deadlineDay: -1, expiredAt: at } },
  });
  const epoch = later({
    keyInfoBody: {
      retCode: 0,
      result: { ...base, deadlineDay: 12, expiredAt: '1970-01-01T00:00:00Z' },
    },
  });
  const unsaid = later({ keyInfoBody: { retCode: 0, result: { ...withoutExpiry(base) } } });

  it('a positive deadlineDay gives the days left and expiredAt the date', async () => {
    expect(await verify(expiring)).toMatchObject({
      expiresAt: '2027-03-01T00:00:00.000Z',
      expiresInDays: 30,
    });
  });

  it('a negative deadlineDay, or expiredAt at the epoch, means the key does not expire', async () => {
    for (const k of [negative, epoch, unsaid]) {
      expect(await verify(k)).toMatchObject({ expiresAt: null, expiresInDays: null });
    }
  });
});

function withoutExpiry(result: Record<string, unknown>): Record<string, unknown> {
  const { deadlineDay: _d, expiredAt: _e, ...rest } = result;
  return rest;
}

describe("Bybit's refusals, each from a real sandbox answer", () => {
  const limited = later({ failWith: 'rate-limited' });
  const banned = later({ failWith: 'ip-banned' });
  const denied = later({ failWith: 'permission-denied' });
  const region = later({
    keyInfoBody: {
      retCode: 10009,
      retMsg: 'Service Restricted: Access is currently unavailable for your region.',
      result: {},
      retExtInfo: {},
      time: 1,
    },
  });
  const spotExpired = later({
    keyInfoBody: {
      retCode: -2015,
      retMsg: 'Your api key has expired',
      result: {},
      retExtInfo: {},
      time: 1,
    },
  });
  const expired = later({ expiresAt: '2020-01-01T00:00:00Z' });
  const testnetKey = later({ environment: 'testnet' });
  const demoKey = later({ environment: 'demo' });

  const failure = (k: SandboxKey, options = {}) =>
    expectVerificationFailure(
      verifyBybitKey(credsOf(k), { baseUrl: sandbox.url, ...options }),
      expectNoSecret,
    );

  it('10006 → rate-limited, with the wait from X-Bapi-Limit-Reset-Timestamp', async () => {
    const error = await failure(limited);
    expect(error).toMatchObject({ reason: 'rate-limited', exchangeCode: '10006' });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(2000);
    expect(error.message).toMatch(/Wait, then retry.*asks to wait 2 s/);
  });

  it('HTTP 403 "access too frequent" (an IP ban) → rate-limited, not network', async () => {
    const error = await failure(banned);
    expect(error.reason).toBe('rate-limited');
    expect(error.message).toMatch(/Wait, then retry/);
  });

  it('10005 → permission-denied; 10009 → region-restricted; -2015 and 33004 → expired', async () => {
    expect(await failure(denied)).toMatchObject({
      reason: 'permission-denied',
      exchangeCode: '10005',
    });
    expect(await failure(region)).toMatchObject({
      reason: 'region-restricted',
      exchangeCode: '10009',
    });
    expect(await failure(spotExpired)).toMatchObject({ reason: 'expired', exchangeCode: '-2015' });
    expect(await failure(expired)).toMatchObject({ reason: 'expired', exchangeCode: '33004' });
  });

  it('10003 says the key may belong to another environment before saying it may be revoked', async () => {
    for (const k of [testnetKey, demoKey]) {
      const error = await failure(k);
      expect(error).toMatchObject({ reason: 'invalid-key', exchangeCode: '10003' });
      const environment = error.message.search(/mainnet, testnet and demo/);
      const revoked = error.message.search(/revoked/);
      expect(environment).toBeGreaterThan(-1);
      expect(revoked).toBeGreaterThan(environment);
    }
  });
});

describe('demo trading', () => {
  let demo: Sandbox;
  const demoKey = key({ environment: 'demo' });
  const liveKey = key({});
  beforeAll(async () => {
    demo = await startSandbox({ keys: [demoKey, liveKey], environment: 'demo' });
  });
  afterAll(() => demo.close());

  it('falls back to GET /v5/account/info and says what it could not check', async () => {
    const report = await verifyBybitKey(credsOf(demoKey), { demo: true, baseUrl: demo.url });
    expect(demo.requests.map((r) => `${r.method} ${r.path} ${r.ok}`)).toEqual([
      'GET /v5/account/info true',
    ]);
    expect(report).toMatchObject({
      permissions: { read: true, trade: true, withdraw: false, grants: [] },
      expiresAt: null,
      expiresInDays: null,
    });
    expect(report.warnings).toEqual([
      expect.stringMatching(
        /no GET \/v5\/user\/query-api.*Not checked: its permissions.*IP whitelist and expiry/,
      ),
    ]);
    // The whitelist was not checked either, so the key is taken as unrestricted.
    expect(assertSafeKey(report, { purpose: 'trade' }).warnings).toEqual([
      expect.stringContaining('has no IP whitelist'),
    ]);
    // Not audited, so not accepted as a data key.
    expect(refusal(report, { purpose: 'data' })).toEqual(['trade-on-data-key']);
  });

  it('without demo: true, query-api on the demo host is refused as Bybit refuses it', async () => {
    const error = await verifyBybitKey(credsOf(demoKey), { baseUrl: demo.url }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: 'wrong-environment', exchangeCode: '10032' });
    expect((error as Error).message).toMatch(/another environment.*demo option/);
    expectNoSecret((error as Error).message);
  });

  it('a live key on demo trading gets 10003', async () => {
    const error = await verifyBybitKey(credsOf(liveKey), { demo: true, baseUrl: demo.url }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: 'invalid-key', exchangeCode: '10003' });
  });
});

describe('property: any value outside the read, trade and transfer tables is refused', () => {
  const known = fc.constantFrom(...NAMES);
  const strange = fc.tuple(
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.string({ maxLength: 12 }),
  );
  const permissions = fc
    .array(
      fc.oneof(
        known.map((n) => n.split('.') as [string, string]),
        strange,
      ),
      { maxLength: 6 },
    )
    .map((pairs) => {
      // Through a Map, so that a group named `__proto__` stays an ordinary field.
      const groups = new Map<string, string[]>();
      for (const [group, value] of pairs) groups.set(group, [...(groups.get(group) ?? []), value]);
      return Object.fromEntries(groups) as Record<string, string[]>;
    });

  it('for trade and data keys alike', () => {
    fc.assert(
      fc.property(permissions, fc.constantFrom(0, 1), (groups, readOnly) => {
        const facts = readKeyInfo(undefined, {
          retCode: 0,
          result: { readOnly, permissions: groups },
        });
        const report: KeyReport = {
          exchange: 'bybit',
          profile: 'default',
          ...facts,
          expiresInDays: facts.expiresInDays ?? null,
          warnings: [],
        };
        const names = Object.entries(groups).flatMap(([g, values]) =>
          values.map((v) => `${g}.${v}`),
        );
        const classOf = (n: string) =>
          Object.hasOwn(DOCUMENTED, n) ? DOCUMENTED[n as Name] : 'unknown';
        for (const purpose of ['trade', 'data'] as const) {
          const allowed =
            purpose === 'trade' ? ['read', 'trade', 'transfer'] : ['read', 'transfer'];
          const outside = names.some((n) => !allowed.includes(classOf(n)));
          expect(refusal(report, { purpose }).length > 0).toBe(outside);
        }
      }),
      { numRuns: 500 },
    );
  });
});
