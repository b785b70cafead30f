import { getCredentials, type KeyPolicy, type KeyReport } from '@exkeys/credentials';
import {
  auditOutcome,
  expectVerificationFailure,
  policyVerdict,
  readerOutcome,
} from '@exkeys/credentials/testing';
import { cdpKeySecret, type Sandbox, type SandboxKey, startSandbox } from '@exkeys/sandbox';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import documented from './__fixtures__/key-permissions.json' with { type: 'json' };
import { COINBASE_PERMISSIONS, readKeyPermissions, verifyCoinbaseKey } from './index.js';

// The flags Coinbase documents, with their meaning, written out here (not read from the table).
const FLAGS = { can_view: 'read', can_trade: 'trade', can_transfer: 'withdraw' } as const;
type Flag = keyof typeof FLAGS;

const KEY = (i: number) => `c0ffee00-1111-4111-8111-${String(i).padStart(12, '0')}`;
// Every fourth key is an ECDSA key (PEM EC P-256, ES256 JWTs), the others Ed25519 (EdDSA).
const SECRET = (i: number) =>
  cdpKeySecret(
    `CANARYSECRETcoinbaseaudit${String(i).padStart(6, '0')}`,
    i % 4 === 0 ? 'ec-p256' : 'ed25519',
  );
const credsOf = (i: number) =>
  getCredentials('coinbase', { env: { COINBASE_API_KEY: KEY(i), COINBASE_API_SECRET: SECRET(i) } });

const bodies: unknown[] = [];
const add = (body: unknown) => bodies.push(body) - 1;
const withFlags = (flags: Record<string, unknown>) => ({ ...documented, ...flags });

// Every combination of the three documented flags.
const combos: Flag[][] = [
  [],
  ['can_view'],
  ['can_trade'],
  ['can_transfer'],
  ['can_view', 'can_trade'],
  ['can_view', 'can_transfer'],
  ['can_trade', 'can_transfer'],
  ['can_view', 'can_trade', 'can_transfer'],
];
const comboIndex = combos.map((set) =>
  add(
    withFlags(
      Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, set.includes(flag as Flag)])),
    ),
  ),
);

const unreadable: Array<[string, unknown, string]> = [
  ['a list', [documented], '(the whole body)'],
  ['a string', 'Unauthorized', '(the whole body)'],
  ['no can_view', withFlags({ can_view: undefined }), 'can_view'],
  ['no can_trade', withFlags({ can_trade: undefined }), 'can_trade'],
  ['no can_transfer', withFlags({ can_transfer: undefined }), 'can_transfer'],
  ['can_transfer as a string', withFlags({ can_transfer: 'false' }), 'can_transfer'],
  ['can_trade null', withFlags({ can_trade: null }), 'can_trade'],
  ['can_view as 1', withFlags({ can_view: 1 }), 'can_view'],
  ['an unknown flag that is not a boolean', withFlags({ can_withdraw: 'yes' }), 'can_withdraw'],
  ['portfolio_type as a number', withFlags({ portfolio_type: 1 }), 'portfolio_type'],
  ['portfolio_uuid as an object', withFlags({ portfolio_uuid: {} }), 'portfolio_uuid'],
];
const unreadableIndex = unreadable.map(([, body]) => add(body));

const unknownIndex = add(withFlags({ can_transfer: false, can_withdraw: true }));
const unknownFalseIndex = add(withFlags({ can_transfer: false, can_withdraw: false }));
const documentedIndex = add(documented);

const NATIVE = 9000;
const LIMITED = 9001;
const DENIED = 9002;
const BANNED = 9003;

let sandbox: Sandbox;
beforeAll(async () => {
  const key = (i: number, extra: Partial<SandboxKey>): SandboxKey => ({
    exchange: 'coinbase',
    apiKey: KEY(i),
    apiSecret: SECRET(i),
    ...extra,
  });
  sandbox = await startSandbox({
    keys: [
      ...bodies.map((keyInfoBody, i) => key(i, { keyInfoBody })),
      key(NATIVE, { nativePermissions: { can_view: true, can_trade: true, can_transfer: true } }),
      key(LIMITED, { failWith: 'rate-limited' }),
      key(DENIED, { failWith: 'permission-denied' }),
      key(BANNED, { failWith: 'ip-banned' }),
    ],
  });
});
afterAll(() => sandbox?.close());

const verify = (i: number) => verifyCoinbaseKey(credsOf(i), { baseUrl: sandbox.url });

/** Coinbase reports no IP allowlist: the policies below accept that knowingly, as a user would. */
const ACCEPT = { acceptUnchecked: ['ip-whitelist'] } as const;
const verdict = (report: KeyReport, policy: KeyPolicy) =>
  policyVerdict(
    report,
    { ...ACCEPT, ...policy },
    { ignoreWarnings: /IP allowlist|IP whitelist|ip-whitelist/ },
  );

function expectNoCanary(text: string) {
  expect(text.length).toBeGreaterThan(0);
  expect(text).not.toMatch(/CANARYSECRET/);
}
const failure = (i: number) => expectVerificationFailure(verify(i), expectNoCanary);

type Expect = 'safe' | 'trade' | 'withdraw' | 'unknown';
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
          expect(v.message).toContain(`coinbase:${unknownName}`);
          expectNoCanary(v.message);
        }
      }
      break;
  }
}
const expectOf = (set: readonly Flag[]): Expect =>
  set.includes('can_transfer') ? 'withdraw' : set.includes('can_trade') ? 'trade' : 'safe';

describe('Coinbase audit: every documented flag, alone and combined, through the sandbox', () => {
  it.each(
    combos.map((set, n) => [set.join('+') || '(none)', set, comboIndex[n] as number] as const),
  )('flags %s', async (_name, set, index) => {
    const report = await verify(index);
    expect(report.permissions.grants).toEqual(set.map((name) => ({ name, class: FLAGS[name] })));
    expect(report.permissions.read).toBe(set.includes('can_view'));
    expect(report).toMatchObject({
      ipRestricted: false,
      unchecked: ['ip-whitelist'],
      expiresAt: null,
    });
    expectVerdicts(report, expectOf(set));
  });

  it('refuses every key by default: Coinbase does not report the IP allowlist (reason unchecked)', async () => {
    const report = await verify(comboIndex[1] as number);
    const refused = policyVerdict(report, { purpose: 'data' });
    expect(refused).toMatchObject({ accepted: false, reasons: ['unchecked'] });
    if (!refused.accepted) expect(refused.message).toContain('--accept-unchecked ip-whitelist');
    // Control: accepting it knowingly lets the same key through, with a warning that says so.
    const accepted = policyVerdict(report, { purpose: 'data', ...ACCEPT });
    expect(accepted.accepted).toBe(true);
  });

  it('refuses an undocumented flag that is true as unknown, and ignores one that is false', async () => {
    expectVerdicts(await verify(unknownIndex), 'unknown', 'can_withdraw');
    // The documented example can trade; its false can_transfer and can_withdraw grant nothing.
    expectVerdicts(await verify(unknownFalseIndex), 'trade');
  });
});

describe('Coinbase audit: what exkeys cannot read is refused, naming the field', () => {
  it.each(unreadable.map(([name, , field], n) => [name, field, unreadableIndex[n] as number]))(
    '%s → unreadable-response (%s)',
    async (_name, field, index) => {
      const error = await failure(index as number);
      expect({ reason: error.reason, field: error.field, endpoint: error.endpoint }).toEqual({
        reason: 'unreadable-response',
        field,
        endpoint: 'GET /api/v3/brokerage/key_permissions',
      });
    },
  );
});

describe('Coinbase audit: controls', () => {
  it('refuses the documented example (it can transfer) and reads the native flags', async () => {
    expectVerdicts(await verify(documentedIndex), 'withdraw');
    const native = await verify(NATIVE);
    expect(native.permissions.grants).toContainEqual({ name: 'can_transfer', class: 'withdraw' });
    expectVerdicts(native, 'withdraw');
  });

  it('ECDSA and Ed25519 keys both verify (ES256 and EdDSA JWTs)', async () => {
    const ecdsa = await verify(comboIndex[4] as number);
    expect(SECRET(comboIndex[4] as number)).toContain('BEGIN EC PRIVATE KEY');
    const eddsa = await verify(comboIndex[5] as number);
    expect(SECRET(comboIndex[5] as number)).not.toContain('PRIVATE KEY');
    expectVerdicts(ecdsa, 'trade');
    expectVerdicts(eddsa, 'withdraw');
  });
});

describe('Coinbase audit: the answers Coinbase sends, from the sandbox', () => {
  it('code 8 (HTTP 429 RESOURCE_EXHAUSTED) → rate-limited, also for what would be an IP ban', async () => {
    for (const index of [LIMITED, BANNED]) {
      const error = await failure(index);
      expect(error).toMatchObject({ reason: 'rate-limited', exchangeCode: '8' });
      expect(sandbox.requests.at(-1)).toMatchObject({ status: 429, errorCode: '8' });
    }
  });

  it('code 7 (HTTP 403 PERMISSION_DENIED) → permission-denied', async () => {
    const error = await failure(DENIED);
    expect(error).toMatchObject({ reason: 'permission-denied', exchangeCode: '7' });
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 403, errorCode: '7' });
  });

  it('a bare 401 Unauthorized → invalid-key, naming the other causes Coinbase hides behind it', async () => {
    const error = await expectVerificationFailure(
      verifyCoinbaseKey(
        getCredentials('coinbase', {
          env: { COINBASE_API_KEY: KEY(1), COINBASE_API_SECRET: SECRET(2) },
        }),
        { baseUrl: sandbox.url },
      ),
      expectNoCanary,
    );
    expect(error).toMatchObject({ reason: 'invalid-key', exchangeCode: undefined });
    expect(sandbox.requests.at(-1)).toMatchObject({
      status: 401,
      errorCode: 'unauthorized:bad-signature',
    });
    for (const text of ['COINBASE_API_SECRET is the private key', 'clock', 'IP allowlist']) {
      expect(error.message).toContain(text);
    }
  });
});

describe('Coinbase audit: property', () => {
  const flag = fc.constantFrom(true, false);
  const extra = fc.dictionary(
    fc.constantFrom('can_withdraw', 'can_send', 'can_view_all', 'portfolio_type', 'other'),
    fc.oneof(fc.boolean(), fc.constant('DEFAULT')),
    { maxKeys: 2 },
  );
  const bodyArb = fc
    .record({ can_view: flag, can_trade: flag, can_transfer: flag })
    .chain((flags) => extra.map((more) => ({ ...documented, ...more, ...flags })));
  /** Refused when it can transfer, or holds an undocumented can_* flag that is true or malformed. */
  const refused = (body: Record<string, unknown>) =>
    body.can_transfer === true ||
    (body.portfolio_type !== undefined && typeof body.portfolio_type !== 'string') ||
    Object.entries(body).some(
      ([field, value]) => field.startsWith('can_') && !(field in FLAGS) && value !== false,
    );
  const policy = { purpose: 'trade', ...ACCEPT } as const;

  it('refuses exactly the keys that can move funds or hold what exkeys does not know (reader)', () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        expect(readerOutcome('coinbase', () => readKeyPermissions(body), policy)).toBe(
          refused(body) ? 'refused' : 'accepted',
        );
      }),
      { numRuns: 500 },
    );
  });

  it('does the same through the sandbox over HTTP', async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, async (body) => {
        const probe = await startSandbox({
          keys: [{ exchange: 'coinbase', apiKey: KEY(1), apiSecret: SECRET(1), keyInfoBody: body }],
        });
        try {
          const result = await auditOutcome(
            verifyCoinbaseKey(credsOf(1), { baseUrl: probe.url }),
            policy,
          );
          expect(result).toBe(refused(body) ? 'refused' : 'accepted');
        } finally {
          await probe.close();
        }
      }),
      { numRuns: 20 },
    );
  });

  it('classifies the documented flags as the documentation does', () => {
    expect(
      Object.fromEntries(Object.entries(COINBASE_PERMISSIONS).map(([k, v]) => [k, v.class])),
    ).toEqual(FLAGS);
  });
});
