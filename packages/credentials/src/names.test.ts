import { describe, expect, it } from 'vitest';
import { CredentialsError } from './errors.js';
import {
  DEFAULT_PROFILE,
  needsPassphrase,
  normalizeExchange,
  normalizeProfile,
  parseCredentialReference,
  parseVariableName,
  variableNames,
} from './names.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (CredentialsError.isInstance(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('variable names', () => {
  it('are {EXCHANGE}_API_KEY/SECRET/PASSPHRASE, the exchange case-insensitive and stored in uppercase', () => {
    expect(variableNames('bybit')).toEqual({
      key: 'BYBIT_API_KEY',
      secret: 'BYBIT_API_SECRET',
      passphrase: 'BYBIT_API_PASSPHRASE',
    });
    expect(variableNames('OkX')).toEqual(variableNames('okx'));
    expect(variableNames('  Binance ')).toEqual(variableNames('binance'));
    expect(variableNames('gateio2').key).toBe('GATEIO2_API_KEY');
  });

  it('use {EXCHANGE}_{PROFILE}_API_* for a named profile, and the plain names for the default one', () => {
    expect(variableNames('okx', 'bot2')).toEqual({
      key: 'OKX_BOT2_API_KEY',
      secret: 'OKX_BOT2_API_SECRET',
      passphrase: 'OKX_BOT2_API_PASSPHRASE',
    });
    expect(variableNames('okx', 'Grid').key).toBe('OKX_GRID_API_KEY');
    for (const profile of [undefined, '', 'default', 'DEFAULT']) {
      expect(variableNames('okx', profile).key).toBe('OKX_API_KEY');
    }
    expect(normalizeProfile('grid')).toBe('GRID');
    expect(normalizeProfile(undefined)).toBe(DEFAULT_PROFILE);
  });

  it('refuse exchange ids and profiles outside [a-z0-9]+ / [A-Z0-9]+ with a typed error', () => {
    for (const exchange of ['', 'by-bit', 'by bit', 'okx_', 'bybit!', 'ökx', 'a\nb']) {
      expect(
        codeOf(() => normalizeExchange(exchange)),
        exchange,
      ).toBe('invalid-exchange');
    }
    expect(codeOf(() => normalizeExchange(undefined as unknown as string))).toBe(
      'invalid-exchange',
    );
    for (const profile of ['grid bot', 'GRID_2', 'bot-2', 'x\ny', '*']) {
      expect(
        codeOf(() => variableNames('bybit', profile)),
        profile,
      ).toBe('invalid-profile');
    }
    let message = '';
    try {
      normalizeExchange('x-'.repeat(100));
    } catch (error) {
      message = (error as Error).message;
    }
    // A long input (perhaps a pasted key) is cut short in the message.
    expect(message).not.toContain('x-'.repeat(21));
    expect(message).toMatch(/"bybit"/);
  });

  it('are recognised back from a name', () => {
    expect(parseVariableName('BYBIT_API_KEY')).toEqual({
      exchange: 'bybit',
      profile: 'default',
      field: 'key',
    });
    expect(parseVariableName('OKX_BOT2_API_PASSPHRASE')).toEqual({
      exchange: 'okx',
      profile: 'BOT2',
      field: 'passphrase',
    });
    expect(parseVariableName('BINANCE_GRID_API_SECRET')?.field).toBe('secret');
    for (const name of [
      'BYBIT_KEY',
      'bybit_api_key',
      'BYBIT_API_KEY_FILE',
      'A_B_C_API_KEY',
      'OTHER',
    ]) {
      expect(parseVariableName(name), name).toBeUndefined();
    }
    for (const [exchange, profile] of [
      ['bybit', undefined],
      ['okx', 'bot2'],
    ] as const) {
      const names = variableNames(exchange, profile);
      expect(parseVariableName(names.secret)).toEqual({
        exchange,
        profile: normalizeProfile(profile),
        field: 'secret',
      });
    }
  });

  it('know which exchanges need a passphrase', () => {
    expect(needsPassphrase('okx')).toBe(true);
    expect(needsPassphrase('OKX')).toBe(true);
    expect(needsPassphrase('bybit')).toBe(false);
    expect(needsPassphrase('binance')).toBe(false);
  });
});

describe('parseCredentialReference', () => {
  it('recognises a credential variable and its _FILE form, and nothing else', () => {
    expect(parseCredentialReference('OKX_API_SECRET')).toEqual({
      exchange: 'okx',
      profile: 'default',
      field: 'secret',
      file: false,
    });
    expect(parseCredentialReference('BYBIT_GRID_API_KEY_FILE')).toEqual({
      exchange: 'bybit',
      profile: 'GRID',
      field: 'key',
      file: true,
    });
    for (const name of ['LOG_FILE', 'EXKEYS_ENV_FILE', 'OKX_API_SECRET_FILE_FILE', 'OTHER']) {
      expect(parseCredentialReference(name), name).toBeUndefined();
    }
  });
});
