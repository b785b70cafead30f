import { describe, expect, it } from 'vitest';
import { KeyVerificationError } from '../errors.js';
import { unreadableField } from '../exchange/permission-table.js';
import type { KeyReport } from '../policy.js';
import {
  auditOutcome,
  expectVerificationFailure,
  policyVerdict,
  readerOutcome,
} from './verdicts.js';

const facts = (withdraw: boolean) => ({
  permissions: { read: true, trade: true, withdraw, transfer: false, grants: [] },
  ipRestricted: false,
  expiresAt: null,
});
const report = (withdraw: boolean): KeyReport => ({
  exchange: 'bybit',
  profile: 'default',
  expiresInDays: null,
  warnings: [],
  ...facts(withdraw),
});

describe('policyVerdict', () => {
  it('accepts a trade key, keeping or dropping warnings as asked, and refuses a withdraw key', () => {
    const accepted = policyVerdict(report(false), { purpose: 'trade' });
    expect(accepted.accepted).toBe(true);
    if (!accepted.accepted) return;
    expect(accepted.warnings.some((w) => /IP whitelist/.test(w))).toBe(true);
    const quiet = policyVerdict(
      report(false),
      { purpose: 'trade' },
      { ignoreWarnings: /IP whitelist/ },
    );
    expect(quiet).toEqual({ accepted: true, warnings: [] });
    const refused = policyVerdict(report(true), { purpose: 'trade' });
    expect(refused).toMatchObject({ accepted: false, reasons: ['withdraw-enabled'] });
  });

  it('rethrows what is not a refusal', () => {
    expect(() => policyVerdict(null as unknown as KeyReport, { purpose: 'trade' })).toThrow(
      TypeError,
    );
  });
});

describe('readerOutcome and auditOutcome', () => {
  it('accept a safe key and refuse an unsafe or unreadable one', async () => {
    const trade = { purpose: 'trade' } as const;
    expect(readerOutcome('bybit', () => facts(false), trade)).toBe('accepted');
    expect(readerOutcome('bybit', () => facts(true), trade)).toBe('refused');
    expect(readerOutcome('bybit', () => unreadableField('result', 'is missing'), trade)).toBe(
      'refused',
    );
    expect(await auditOutcome(Promise.resolve(report(false)), trade)).toBe('accepted');
    expect(await auditOutcome(Promise.resolve(report(true)), trade)).toBe('refused');
    const unreadable = new KeyVerificationError('bybit', 'unreadable-response', 'unreadable');
    expect(await auditOutcome(Promise.reject(unreadable), trade)).toBe('refused');
  });

  it('rethrow any other failure, so that a crash never passes for a refusal', async () => {
    const crash = new Error('reader bug');
    expect(() =>
      readerOutcome(
        'bybit',
        () => {
          throw crash;
        },
        { purpose: 'trade' },
      ),
    ).toThrow(crash);
    const network = new KeyVerificationError('bybit', 'network', 'down');
    await expect(auditOutcome(Promise.reject(network), { purpose: 'trade' })).rejects.toBe(network);
  });
});

describe('expectVerificationFailure', () => {
  it('returns the error after handing every printed form to the check', async () => {
    const error = new KeyVerificationError('okx', 'invalid-key', 'OKX refused the key', {
      cause: new Error('inner cause text'),
    });
    let printed = '';
    const returned = await expectVerificationFailure(Promise.reject(error), (text) => {
      printed = text;
    });
    expect(returned).toBe(error);
    expect(printed).toContain('OKX refused the key');
    expect(printed).toContain('inner cause text');
    expect(printed).toContain('"reason":"invalid-key"');
  });

  it('fails when the verification passes or fails otherwise', async () => {
    const check = () => {};
    await expect(expectVerificationFailure(Promise.resolve({}), check)).rejects.toThrow(
      'verification passed',
    );
    const other = new TypeError('not a verification error');
    await expect(expectVerificationFailure(Promise.reject(other), check)).rejects.toBe(other);
  });
});
