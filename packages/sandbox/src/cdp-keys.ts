import { createECDH, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** The two kinds of Coinbase CDP secret: an Ed25519 key (raw, base64) or an ECDSA P-256 key (PEM). */
export type CdpKeyType = 'ed25519' | 'ec-p256';

// PKCS#8 DER of an Ed25519 private key, up to its 32-byte seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const BASE64_TEXT = /^[A-Za-z0-9+/]+$/;

/** 40 base64 characters (30 bytes) from `text`: its first 12 and last 28, or `text` padded with `0`. */
function forty(text: string): string {
  if (!BASE64_TEXT.test(text)) {
    throw new TypeError('A CDP key seed text must be base64 characters (A-Za-z0-9+/).');
  }
  return text.length > 40 ? `${text.slice(0, 12)}${text.slice(-28)}` : text.padEnd(40, '0');
}

/**
 * A Coinbase CDP secret whose private key bytes spell `text` in base64, so a test can look for
 * the text (a canary such as `CANARYSECRET…`) in every output. An Ed25519 secret is what Coinbase
 * hands out for Ed25519 keys (base64 of the 32-byte seed then the 32-byte public key, starting with
 * the text); an `ec-p256` secret is a SEC1 PEM block (`BEGIN EC PRIVATE KEY`) whose first line
 * holds the text from its 13th character on. Deterministic: the same text gives the same key.
 */
export function cdpKeySecret(text: string, type: CdpKeyType = 'ed25519'): string {
  const bytes = Buffer.from(forty(text), 'base64');
  if (type === 'ed25519') {
    const seed = Buffer.concat([bytes, Buffer.alloc(2)]);
    const publicKey = createPublicKey(
      createPrivateKey({
        key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
        format: 'der',
        type: 'pkcs8',
      }),
    );
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    return Buffer.concat([seed, raw]).toString('base64');
  }
  // SEC1 DER starts 30 77 02 01 01 04 20 then the 32-byte scalar: bytes 9 on are base64 characters 12 on.
  const d = Buffer.concat([Buffer.from([0x00, 0x01]), bytes]);
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    d: d.toString('base64url'),
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33, 65).toString('base64url'),
  };
  return (
    createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'sec1', format: 'pem' }) as string
  )
    .toString()
    .trimEnd();
}

/**
 * The public key the sandbox verifies a Coinbase JWT with: from a PEM private key, or from the
 * seed of a raw Ed25519 secret. `undefined` for a secret that is neither.
 */
export function cdpPublicKey(secret: string): KeyObject | undefined {
  try {
    if (secret.includes('PRIVATE KEY')) return createPublicKey(secret);
    const bytes = Buffer.from(secret, 'base64');
    if (bytes.length !== 64) return undefined;
    return createPublicKey(
      createPrivateKey({
        key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes.subarray(0, 32)]),
        format: 'der',
        type: 'pkcs8',
      }),
    );
  } catch {
    return undefined;
  }
}
