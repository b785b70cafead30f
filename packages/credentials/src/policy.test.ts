import { describe, expect, it } from 'vitest';
import { UnsafeKeyError } from './errors.js';
import { assertSafeKey, type KeyReport } from './policy.js';

const report = (overrides: Partial<KeyReport['permissions']>, ipRestricted = true): KeyReport => ({
  exchange: 'bybit',
  profile: 'default',
  permissions: { read: true, trade: true, withdraw: false, ...overrides },
  ipRestricted,
  expiresAt: null,
  warnings: [],
});

function reasons(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (UnsafeKeyError.isInstance(error)) return [...error.reasons];
    throw error;
  }
  return [];
}

describe('assertSafeKey', () => {
  it('accepts a trade key for trading', () => {
    expect(assertSafeKey(report({}), { purpose: 'trade' })).toEqual({ warnings: [] });
  });

  it('always refuses a key that can withdraw', () => {
    expect(reasons(() => assertSafeKey(report({ withdraw: true }), { purpose: 'trade' }))).toEqual([
      'withdraw-enabled',
    ]);
    expect(() =>
      assertSafeKey(report({ withdraw: true, trade: false }), { purpose: 'data' }),
    ).toThrowError(/WITHDRAW.*revoke/);
  });

  it('refuses a data key that can trade', () => {
    expect(reasons(() => assertSafeKey(report({}), { purpose: 'data' }))).toEqual([
      'trade-on-data-key',
    ]);
    expect(assertSafeKey(report({ trade: false }), { purpose: 'data' }).warnings).toEqual([]);
  });

  it('warns about a missing IP whitelist, or refuses it when required', () => {
    const open = report({}, false);
    expect(assertSafeKey(open, { purpose: 'trade' }).warnings[0]).toMatch(/no IP whitelist/);
    expect(
      reasons(() => assertSafeKey(open, { purpose: 'trade', requireIpWhitelist: true })),
    ).toEqual(['no-ip-whitelist']);
  });

  it('lists every reason at once', () => {
    const error = (() => {
      try {
        assertSafeKey(report({ withdraw: true }, false), {
          purpose: 'data',
          requireIpWhitelist: true,
        });
      } catch (e) {
        return e as UnsafeKeyError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.code).toBe('unsafe-key');
    expect(error.reasons).toEqual(['withdraw-enabled', 'trade-on-data-key', 'no-ip-whitelist']);
    expect(error.exchange).toBe('bybit');
  });
});
