import { describe, expect, it } from 'vitest';
import { UnsafeKeyError } from './errors.js';
import {
  assertSafeKey,
  isPermissionAllowed,
  type KeyReport,
  type PermissionGrant,
} from './policy.js';

const report = (overrides: Partial<KeyReport['permissions']>, ipRestricted = true): KeyReport => ({
  exchange: 'bybit',
  profile: 'default',
  permissions: {
    read: true,
    trade: true,
    withdraw: false,
    transfer: false,
    grants: [],
    ...overrides,
  },
  ipRestricted,
  expiresAt: null,
  expiresInDays: null,
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

describe('assertSafeKey on classified permissions', () => {
  const grant = (name: string, cls: PermissionGrant['class']): PermissionGrant => ({
    name,
    class: cls,
  });
  const withGrants = (...grants: PermissionGrant[]) =>
    report({ trade: false, grants, withdraw: grants.some((g) => /withdraw|payout/.test(g.class)) });
  const refusal = (fn: () => unknown): UnsafeKeyError => {
    try {
      fn();
    } catch (error) {
      if (UnsafeKeyError.isInstance(error)) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  };

  it('control: documented read and trade permissions pass for trading; read-only passes for data', () => {
    const trading = withGrants(grant('Spot.SpotTrade', 'trade'), grant('read', 'read'));
    expect(assertSafeKey(trading, { purpose: 'trade' }).warnings).toEqual([]);
    expect(assertSafeKey(withGrants(grant('read', 'read')), { purpose: 'data' }).warnings).toEqual(
      [],
    );
  });

  it('refuses a trade permission on a data key even when the trade flag was not set', () => {
    const error = refusal(() =>
      assertSafeKey(withGrants(grant('Earn.Earn', 'trade')), { purpose: 'data' }),
    );
    expect(error.reasons).toEqual(['trade-on-data-key']);
    expect(error.permissions).toEqual([{ name: 'Earn.Earn', class: 'trade' }]);
  });

  it('refuses an unknown permission by name, not as withdraw, and says how to accept it', () => {
    const error = refusal(() =>
      assertSafeKey(withGrants(grant('NewGroup.Something', 'unknown')), { purpose: 'trade' }),
    );
    expect(error.reasons).toEqual(['unknown-permission']);
    expect(error.permissions).toEqual([{ name: 'NewGroup.Something', class: 'unknown' }]);
    expect(error.message).toMatch(/does not know the permission NewGroup\.Something/);
    expect(error.message).toMatch(/--allow-permission bybit:NewGroup/);
    expect(error.message).not.toMatch(/WITHDRAW/);
  });

  it('refuses a payout permission as withdraw-class, naming it', () => {
    const error = refusal(() =>
      assertSafeKey(withGrants(grant('FiatP2P.FiatP2POrder', 'payout')), { purpose: 'trade' }),
    );
    expect(error.reasons).toEqual(['withdraw-enabled']);
    expect(error.message).toMatch(/FiatP2P\.FiatP2POrder/);
  });

  it('accepts a named payout or unknown permission knowingly, with a warning', () => {
    const key = withGrants(
      grant('FiatP2P.FiatP2POrder', 'payout'),
      grant('FiatP2P.Advertising', 'payout'),
      grant('Spot.SpotTrade', 'trade'),
    );
    const { warnings } = assertSafeKey(key, {
      purpose: 'trade',
      allowPermissions: ['bybit:FiatP2P'],
    });
    expect(warnings).toEqual([expect.stringMatching(/FiatP2P\.FiatP2POrder.*allowPermissions/)]);
    // One value accepted leaves the other refused; another exchange's entry accepts nothing.
    expect(
      refusal(() =>
        assertSafeKey(key, { purpose: 'trade', allowPermissions: ['bybit:FiatP2P.Advertising'] }),
      ).permissions,
    ).toEqual([{ name: 'FiatP2P.FiatP2POrder', class: 'payout' }]);
    expect(() =>
      assertSafeKey(key, { purpose: 'trade', allowPermissions: ['okx:FiatP2P', 'bybit:Fiat'] }),
    ).toThrow(UnsafeKeyError);
  });

  it('never accepts a withdraw permission, even when named', () => {
    const key = withGrants(grant('Wallet.Withdraw', 'withdraw'));
    expect(
      refusal(() =>
        assertSafeKey(key, {
          purpose: 'trade',
          allowPermissions: ['bybit:Wallet', 'bybit:Wallet.Withdraw'],
        }),
      ).reasons,
    ).toEqual(['withdraw-enabled']);
  });

  it('refuses withdraw: true with no grant to explain it (fail closed)', () => {
    expect(
      refusal(() =>
        assertSafeKey(report({ withdraw: true, grants: [grant('read', 'read')] }), {
          purpose: 'trade',
          allowPermissions: ['bybit:read'],
        }),
      ).reasons,
    ).toEqual(['withdraw-enabled']);
  });

  it('warns about internal transfers without refusing', () => {
    const { warnings } = assertSafeKey(withGrants(grant('Wallet.AccountTransfer', 'transfer')), {
      purpose: 'data',
    });
    expect(warnings).toEqual([
      expect.stringMatching(/between your own accounts \(Wallet\.AccountTransfer\)/),
    ]);
  });
});

describe('assertSafeKey on facts the exchange does not report', () => {
  const unchecked = (facts: KeyReport['unchecked'], ipRestricted = false): KeyReport => ({
    ...report({}, ipRestricted),
    exchange: 'kraken',
    unchecked: facts,
  });

  it('refuses by default, naming what could not be checked and how to accept it', () => {
    let error: unknown;
    try {
      assertSafeKey(unchecked(['withdraw', 'ip-whitelist']), { purpose: 'trade' });
    } catch (caught) {
      error = caught;
    }
    expect(UnsafeKeyError.isInstance(error)).toBe(true);
    const unsafe = error as UnsafeKeyError;
    expect(unsafe.reasons).toEqual(['unchecked']);
    expect(unsafe.message).toContain('kraken does not report whether the key can withdraw funds');
    expect(unsafe.message).toContain('whether the key has an IP whitelist');
    expect(unsafe.message).toContain('--accept-unchecked withdraw --accept-unchecked ip-whitelist');
  });

  it('accepts only the facts the policy names, each with a warning', () => {
    expect(
      reasons(() =>
        assertSafeKey(unchecked(['withdraw', 'ip-whitelist']), {
          purpose: 'trade',
          acceptUnchecked: ['ip-whitelist'],
        }),
      ),
    ).toEqual(['unchecked']);
    const { warnings } = assertSafeKey(unchecked(['withdraw', 'ip-whitelist']), {
      purpose: 'trade',
      acceptUnchecked: ['withdraw', 'ip-whitelist'],
    });
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toMatch(/can withdraw funds; accepted by acceptUnchecked/);
    // The unknown IP list is not also reported as "no IP whitelist".
    expect(warnings.join('\n')).not.toMatch(/has no IP whitelist/);
  });

  it('does not let an accepted fact hide a reported withdraw permission (control)', () => {
    const withdrawing = {
      ...unchecked(['ip-whitelist']),
      permissions: report({ withdraw: true }).permissions,
    };
    expect(
      reasons(() =>
        assertSafeKey(withdrawing, {
          purpose: 'trade',
          acceptUnchecked: ['withdraw', 'ip-whitelist'],
        }),
      ),
    ).toEqual(['withdraw-enabled']);
  });

  it('treats an empty or missing list as fully checked (control)', () => {
    expect(assertSafeKey(unchecked([], true), { purpose: 'trade' })).toEqual({ warnings: [] });
    expect(reasons(() => assertSafeKey(unchecked(undefined, true), { purpose: 'trade' }))).toEqual(
      [],
    );
  });
});

describe('isPermissionAllowed', () => {
  it('matches the exact name or its group, on the same exchange only', () => {
    const g: PermissionGrant = { name: 'FiatP2P.FiatP2POrder', class: 'payout' };
    expect(isPermissionAllowed('bybit', g, ['bybit:FiatP2P'])).toBe(true);
    expect(isPermissionAllowed('bybit', g, ['bybit:FiatP2P.FiatP2POrder'])).toBe(true);
    expect(
      isPermissionAllowed('bybit', g, ['bybit:FiatP2POrder', 'bybit:Fiat', 'okx:FiatP2P']),
    ).toBe(false);
    expect(isPermissionAllowed('bybit', g)).toBe(false);
  });
});
