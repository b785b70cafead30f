import { describe, expect, it } from 'vitest';
import { KeyVerificationError } from '../errors.js';
import type { KeyReport } from '../policy.js';
import { verifyAll } from './verify-all.js';

const report = (exchange: string): KeyReport => ({
  exchange,
  profile: 'default',
  permissions: { read: true, trade: true, withdraw: false, transfer: false, grants: [] },
  ipRestricted: true,
  expiresAt: null,
  expiresInDays: null,
  warnings: [],
});
const later = <T>(ms: number, value: () => T) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(value());
      } catch (error) {
        reject(error);
      }
    }, ms),
  );

describe('verifyAll', () => {
  it('settles every task under its own name, whatever fails', async () => {
    const refused = new KeyVerificationError(
      'okx',
      'wrong-passphrase',
      'Re-check OKX_API_PASSPHRASE.',
    );
    const results = await verifyAll({
      bybit: () => later(20, () => report('bybit')),
      okx: () =>
        later(5, () => {
          throw refused;
        }),
      binance: Promise.resolve(report('binance')),
      broken: () => {
        throw new TypeError('synchronous failure');
      },
    });
    expect(results.bybit).toEqual({ ok: true, report: report('bybit') });
    expect(results.binance).toEqual({ ok: true, report: report('binance') });
    expect(results.okx).toEqual({ ok: false, error: refused });
    expect(results.broken.ok).toBe(false);
    expect(Object.keys(results)).toEqual(['bybit', 'okx', 'binance', 'broken']);
  });

  it('starts every task before waiting for any', async () => {
    const started: string[] = [];
    const task = (name: string) => () => {
      started.push(name);
      return later(10, () => {
        expect(started).toEqual(['a', 'b', 'c']);
        return report(name);
      });
    };
    const results = await verifyAll({ a: task('a'), b: task('b'), c: task('c') });
    expect(Object.values(results).every((result) => result.ok)).toBe(true);
  });
});
