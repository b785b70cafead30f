import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { validateCredentials } from '@exkeys/credentials';
import { describe, expect, it } from 'vitest';
import { generatePemKeyPair, RSA_BITS } from './key-pair.js';

describe.each(['ed25519', 'rsa'] as const)('generatePemKeyPair(%s)', (type) => {
  const pair = generatePemKeyPair(type);

  it('round-trips: the public key verifies what the private key signs, and nothing else', () => {
    const payload = Buffer.from('timestamp=1700000000000&recvWindow=5000', 'utf8');
    const algorithm = type === 'ed25519' ? null : 'sha256';
    const signature = sign(algorithm, payload, pair.privatePem);
    expect(verify(algorithm, payload, pair.publicPem, signature)).toBe(true);
    // Controls: another payload, and another pair's public key, fail.
    expect(verify(algorithm, Buffer.from('timestamp=1'), pair.publicPem, signature)).toBe(false);
    expect(verify(algorithm, payload, generatePemKeyPair(type).publicPem, signature)).toBe(false);
  });

  it('exports PKCS#8 and SPKI PEM whose public half is derived from the private half', () => {
    expect(pair.privatePem).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PRIVATE KEY-----$/,
    );
    expect(pair.publicPem).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----$/,
    );
    const derived = createPublicKey(pair.privatePem).export({ type: 'spki', format: 'pem' });
    expect(String(derived).trimEnd()).toBe(pair.publicPem);
    const key = createPrivateKey(pair.privatePem);
    expect(key.asymmetricKeyType).toBe(type);
    if (type === 'rsa') expect(key.asymmetricKeyDetails?.modulusLength).toBe(RSA_BITS);
    expect(generatePemKeyPair(type).privatePem).not.toBe(pair.privatePem);
  });

  it('is a secret the core accepts exactly for the exchanges whose table lists the type', () => {
    const check = (exchange: 'binance' | 'bybit' | 'okx') =>
      validateCredentials(exchange, {
        env: {
          [`${exchange.toUpperCase()}_API_KEY`]: 'K'.repeat(exchange === 'bybit' ? 18 : 64),
          [`${exchange.toUpperCase()}_API_SECRET`]: pair.privatePem,
          OKX_API_PASSPHRASE: 'Canary-Pass-123',
        },
      }).valid;
    expect(check('binance')).toBe(true);
    expect(check('bybit')).toBe(type === 'rsa');
    expect(check('okx')).toBe(false);
  });
});
