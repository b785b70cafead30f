/**
 * Key pairs generated on this machine for exchanges that accept self-generated keys: the private key
 * becomes the API secret, the public key is what the user registers on the exchange's API page.
 * @module
 */
import { generateKeyPairSync } from 'node:crypto';
import type { PemKeyType } from '@exkeys/credentials';

/** RSA modulus length: the smallest size Binance and Bybit accept, and their generators' default. */
export const RSA_BITS = 2048;

/** A freshly generated key pair, both halves as PEM text without a trailing line break. */
export interface PemKeyPair {
  /** The key type. */
  type: PemKeyType;
  /** The private key, PKCS#8 (`-----BEGIN PRIVATE KEY-----`): the API secret. Never print it. */
  privatePem: string;
  /** The public key, SPKI (`-----BEGIN PUBLIC KEY-----`): what the exchange's key page asks for. */
  publicPem: string;
}

/**
 * Generates an Ed25519 or RSA-{@link RSA_BITS} key pair with `node:crypto`. PKCS#8 is what ccxt signs
 * with for both types; SPKI PEM is the public-key format both Binance's and Bybit's key pages take.
 */
export function generatePemKeyPair(type: PemKeyType): PemKeyPair {
  const { privateKey, publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: RSA_BITS })
      : type === 'ec-p256'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('ed25519');
  return {
    type,
    privatePem: (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).trimEnd(),
    publicPem: (publicKey.export({ type: 'spki', format: 'pem' }) as string).trimEnd(),
  };
}
