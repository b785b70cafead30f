import { describe, expect, it } from 'vitest';
import {
  CredentialsError,
  ExkeysError,
  KeystoreError,
  KeyVerificationError,
  UnsafeKeyError,
} from './errors.js';

describe('errors', () => {
  it('carry stable codes and subclass fields', () => {
    const verification = new KeyVerificationError(
      'okx',
      'wrong-passphrase',
      'Re-check the passphrase.',
      {
        exchangeCode: '50105',
      },
    );
    expect(verification).toMatchObject({
      code: 'key-verification',
      reason: 'wrong-passphrase',
      exchange: 'okx',
    });
    expect(verification.exchangeCode).toBe('50105');
    expect(new KeystoreError('wrong-key', 'x').code).toBe('wrong-key');
    expect(new CredentialsError('io', 'x').code).toBe('io');
    expect(new UnsafeKeyError('bybit', 'default', ['withdraw-enabled'], 'x').reasons).toEqual([
      'withdraw-enabled',
    ]);
  });

  it('isInstance works across duplicated package copies', async () => {
    // A second copy of the module, as when two versions of the package are installed.
    // @ts-expect-error: the query string gives a fresh module instance; only Vite resolves it.
    const copy = (await import('./errors.js?copy')) as typeof import('./errors.js');
    expect(copy.KeystoreError).not.toBe(KeystoreError);
    const foreign = new copy.KeystoreError('corrupted', 'x');
    expect(foreign instanceof KeystoreError).toBe(false);
    expect(KeystoreError.isInstance(foreign)).toBe(true);
    expect(ExkeysError.isInstance(foreign)).toBe(true);
    expect(CredentialsError.isInstance(foreign)).toBe(false);
    expect(
      KeyVerificationError.isInstance(new copy.KeyVerificationError('okx', 'network', 'x')),
    ).toBe(true);
    expect(UnsafeKeyError.isInstance(new copy.UnsafeKeyError('okx', 'default', [], 'x'))).toBe(
      true,
    );
    expect(ExkeysError.isInstance(new Error('plain'))).toBe(false);
    expect(ExkeysError.isInstance(null)).toBe(false);
  });
});
