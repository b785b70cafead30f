import { createHash, createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';

/** HMAC-SHA256 of `payload` under `secret`, in the encoding the exchange expects. */
export function hmacSha256(secret: string, payload: string, encoding: 'hex' | 'base64'): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest(encoding);
}

/** Constant-time string comparison, so a wrong signature leaks nothing through timing. */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether the secret is a PEM private key rather than an HMAC secret (ccxt decides the same way). */
export function isPemKey(secret: string): boolean {
  return secret.includes('PRIVATE KEY');
}

/**
 * Verifies a base64 signature against a PEM key (the private key, or only its public half): Ed25519 over the raw payload, or
 * RSA PKCS#1 v1.5 with SHA-256, as Binance and Bybit do for asymmetric keys.
 */
export function verifyPemSignature(
  privatePem: string,
  payload: string,
  signature: string,
): boolean {
  try {
    const publicKey = createPublicKey(privatePem);
    const algorithm = publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    return verify(
      algorithm,
      Buffer.from(payload, 'utf8'),
      publicKey,
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/**
 * Kraken's `API-Sign`: base64 of HMAC-SHA512, keyed with the base64-decoded private key, over the
 * URI path (`/0/private/Balance`) followed by the binary SHA-256 of `nonce + postData`.
 */
export function krakenSignature(
  secretBase64: string,
  path: string,
  nonce: string,
  postData: string,
): string {
  const digest = createHash('sha256')
    .update(nonce + postData, 'utf8')
    .digest();
  return createHmac('sha512', Buffer.from(secretBase64, 'base64'))
    .update(Buffer.concat([Buffer.from(path, 'utf8'), digest]))
    .digest('base64');
}
