import { describe, expect, it } from 'vitest';
import {
  classifyPermission,
  isUnreadableField,
  type PermissionTable,
  summarizeGrants,
  unreadableField,
} from './permission-table.js';

const table: PermissionTable = {
  'Spot.SpotTrade': { class: 'trade', doc: 'https://example.invalid/spot' },
  'Wallet.Withdraw': { class: 'withdraw', doc: 'https://example.invalid/wallet' },
  'Wallet.AccountTransfer': { class: 'transfer', doc: 'https://example.invalid/wallet' },
};

describe('classifyPermission', () => {
  it('gives a documented name its class, and anything else unknown', () => {
    expect(classifyPermission(table, 'Spot.SpotTrade')).toEqual({
      name: 'Spot.SpotTrade',
      class: 'trade',
    });
    for (const name of ['wallet.withdraw', 'Wallet.withdraw', 'Spot', 'toString', '__proto__']) {
      expect(classifyPermission(table, name).class).toBe('unknown');
    }
  });

  it('normalises only through the key function given, keeping the reported name', () => {
    expect(classifyPermission(table, 'WALLET.WITHDRAW', (n) => n.toLowerCase()).class).toBe(
      'unknown',
    );
    const lower: PermissionTable = { withdraw: { class: 'withdraw', doc: 'x' } };
    expect(classifyPermission(lower, 'WithDraw', (n) => n.toLowerCase())).toEqual({
      name: 'WithDraw',
      class: 'withdraw',
    });
  });
});

describe('summarizeGrants', () => {
  it('sums classes up: payout counts as withdraw, unknown as nothing but stays listed', () => {
    const grants = [
      { name: 'a', class: 'payout' as const },
      { name: 'b', class: 'unknown' as const },
    ];
    expect(summarizeGrants(grants)).toEqual({
      read: true,
      trade: false,
      withdraw: true,
      transfer: false,
      grants,
    });
    expect(summarizeGrants([{ name: 't', class: 'transfer' }])).toMatchObject({
      transfer: true,
      withdraw: false,
    });
  });
});

describe('unreadableField', () => {
  it('throws an error the kit recognises, carrying the field only', () => {
    try {
      unreadableField('result.permissions', 'is not an object');
    } catch (error) {
      expect(isUnreadableField(error)).toBe(true);
      expect((error as { field: string }).field).toBe('result.permissions');
      return;
    }
    throw new Error('expected a throw');
  });
  it('control: other errors are not recognised', () => {
    expect(isUnreadableField(new Error('result.permissions'))).toBe(false);
  });
});
