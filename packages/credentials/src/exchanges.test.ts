import { describe, expect, it } from 'vitest';
import {
  describeShape,
  EXCHANGES,
  exchangeFacts,
  matchesShape,
  OTHER_PASSPHRASE_EXCHANGES,
  shapeSource,
} from './exchanges.js';
import { needsPassphrase } from './names.js';

describe('the exchange table', () => {
  it('has one consistent row per id', () => {
    for (const [id, facts] of Object.entries(EXCHANGES)) {
      expect(facts.id).toBe(id);
      expect(new URL(facts.apiManagementPage).protocol).toBe('https:');
      expect(new URL(facts.apiManagementPage).hostname).toContain(id);
      // A passphrase exchange says what a passphrase looks like; the others do not.
      expect(facts.passphrase !== undefined).toBe(facts.needsPassphrase);
      expect(needsPassphrase(id.toUpperCase())).toBe(facts.needsPassphrase);
      expect(exchangeFacts(id.toUpperCase())).toBe(facts);
    }
    expect(exchangeFacts('gemini')).toBeUndefined();
    expect(exchangeFacts('constructor')).toBeUndefined();
    for (const id of OTHER_PASSPHRASE_EXCHANGES) expect(needsPassphrase(id)).toBe(true);
    expect(needsPassphrase('gemini')).toBe(false);
  });

  it('is frozen all the way down', () => {
    expect(() => {
      (EXCHANGES.bybit.key as { maxLength: number }).maxLength = 1000;
    }).toThrow(TypeError);
    expect(() => {
      (EXCHANGES.binance.pemKeyTypes as string[]).push('dsa');
    }).toThrow(TypeError);
    expect(EXCHANGES.bybit.key.maxLength).toBe(24);
  });

  it('turns shapes into anchored-ready regex sources and words', () => {
    expect(shapeSource(EXCHANGES.bybit.key)).toBe('[A-Za-z0-9]{18,24}');
    expect(shapeSource(EXCHANGES.binance.key)).toBe('[A-Za-z0-9]{64}');
    expect(shapeSource(EXCHANGES.okx.key)).toBe(
      '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}',
    );
    expect(describeShape(EXCHANGES.bybit.secret)).toBe('36 to 48 letters and digits');
    expect(matchesShape(EXCHANGES.okx.secret, 'ab'.repeat(16))).toBe(true);
    expect(matchesShape(EXCHANGES.okx.secret, `x${'ab'.repeat(16)}`)).toBe(false);
    expect(matchesShape(EXCHANGES.okx.passphrase ?? EXCHANGES.okx.key, 'line\nbreak')).toBe(true);
  });

  it('knows KuCoin: a 24-hex key, a UUID secret and a passphrase', () => {
    const kucoin = EXCHANGES.kucoin;
    expect(kucoin.needsPassphrase).toBe(true);
    expect(OTHER_PASSPHRASE_EXCHANGES.has('kucoin')).toBe(false);
    // The documented example key of GET /api/v1/user/api-key.
    expect(matchesShape(kucoin.key, '6705f5c311545b000157d3eb')).toBe(true);
    expect(matchesShape(kucoin.key, '6705f5c311545b000157d3e')).toBe(false);
    expect(matchesShape(kucoin.key, '6705f5c311545b000157d3ebz')).toBe(false);
    expect(matchesShape(kucoin.secret, 'f03a5284-5c39-4aaa-9b20-dea10bdcf8e3')).toBe(true);
    expect(matchesShape(kucoin.secret, 'f03a52845c394aaa9b20dea10bdcf8e3')).toBe(false);
    expect(describeShape(kucoin.key)).toBe('24 hexadecimal characters');
    expect(kucoin.pemKeyTypes).toEqual([]);
  });

  it('has a base64 charset for Kraken: + / and = padding, nothing else', () => {
    expect(shapeSource(EXCHANGES.kraken.secret)).toBe(
      '[A-Za-z0-9+/]{86}(?:[A-Za-z0-9+/]{2}|[A-Za-z0-9+/]=|==)',
    );
    const secret = Buffer.alloc(64, 7).toString('base64');
    expect(secret).toHaveLength(88);
    expect(matchesShape(EXCHANGES.kraken.secret, secret)).toBe(true);
    expect(matchesShape(EXCHANGES.kraken.secret, `${secret.slice(0, 87)}_`)).toBe(false);
    expect(matchesShape(EXCHANGES.kraken.key, Buffer.alloc(42, 9).toString('base64'))).toBe(true);
    expect(
      matchesShape(EXCHANGES.kraken.secret, `${secret.slice(0, 40)}=${secret.slice(41)}`),
    ).toBe(false);
    expect(describeShape(EXCHANGES.kraken.secret)).toBe('88 base64 characters');
  });
});
