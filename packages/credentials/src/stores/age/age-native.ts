/**
 * Decryption of age files (age-encryption.org/v1) and X25519 identity handling on `node:crypto`, so
 * that loading keys from a keystore does not import age-encryption and its pure-JavaScript crypto
 * (~100 ms, most of a bot's start-up). Covers X25519 identities and passphrases (scrypt), the two
 * kinds exkeys writes; anything else (post-quantum identities, plugin stanzas) is left to
 * age-encryption. Writes still go through age-encryption.
 *
 * Implemented from the age specification (https://age-encryption.org/v1): header with stanzas and
 * an HMAC-SHA256 MAC, file key unwrapped with X25519 + HKDF-SHA256 + ChaCha20-Poly1305, payload in
 * 64 KiB STREAM chunks. Every deviation from the format is refused.
 * @module
 */
import { createRequire } from 'node:module';

let nodeCrypto: typeof import('node:crypto') | undefined;
const crypto = () => {
  nodeCrypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return nodeCrypto;
};

/** A header stanza: its arguments (the first is the type) and its decoded body. */
export interface NativeStanza {
  args: string[];
  body: Uint8Array;
}

/** Something that can unwrap a file key from a header's stanzas: `null` when none is for it. */
export interface NativeIdentity {
  unwrapFileKey(stanzas: NativeStanza[]): Promise<Uint8Array | null> | Uint8Array | null;
}

/** A malformed file: the message says which rule it breaks. Never carries key material. */
export class AgeFormatError extends Error {
  override readonly name = 'AgeFormatError';
}

/** No identity given matched any stanza of the header. */
export class NoIdentityMatchedError extends Error {
  override readonly name = 'NoIdentityMatchedError';
  constructor() {
    super("no identity matched any of the file's recipients");
  }
}

const VERSION_LINE = 'age-encryption.org/v1';
const CHUNK = 64 * 1024;
const TAG = 16;
const FILE_KEY_BYTES = 16;
const X25519_LABEL = 'age-encryption.org/v1/X25519';
// DER prefixes of an X25519 private key (PKCS #8) and public key (SPKI), RFC 8410.
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

function decodeBase64NoPad(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*$/.test(text) || text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64');
  // Canonical only: unused bits must be zero, so each text decodes from exactly one encoding.
  return bytes.toString('base64').replace(/=+$/, '') === text ? bytes : null;
}

/** The parsed header of an age file. */
export interface NativeHeader {
  stanzas: NativeStanza[];
  /** The header bytes the MAC covers: through `---`, without the space and the MAC. */
  headerNoMac: Uint8Array;
  mac: Uint8Array;
  /** Offset of the payload (its 16-byte nonce) in the file. */
  payloadStart: number;
}

/** Parses the header of an age file (binary, not armored). */
export function parseHeader(file: Uint8Array): NativeHeader {
  let at = 0;
  const readLine = (): string => {
    const end = file.indexOf(0x0a, at);
    if (end === -1) throw new AgeFormatError('the header is truncated');
    const line = Buffer.from(file.subarray(at, end)).toString('latin1');
    at = end + 1;
    return line;
  };
  if (readLine() !== VERSION_LINE) throw new AgeFormatError('invalid version line');
  const stanzas: NativeStanza[] = [];
  for (;;) {
    const lineStart = at;
    const line = readLine();
    if (line.startsWith('--- ')) {
      const mac = decodeBase64NoPad(line.slice(4));
      if (mac === null || mac.length !== 32) throw new AgeFormatError('invalid header MAC');
      return {
        stanzas,
        headerNoMac: file.subarray(0, lineStart + 3),
        mac,
        payloadStart: at,
      };
    }
    const args = line.split(' ');
    if (args.shift() !== '->' || args.length === 0) throw new AgeFormatError('invalid stanza line');
    for (const arg of args) {
      if (!/^[\x21-\x7e]+$/.test(arg)) throw new AgeFormatError('invalid stanza argument');
    }
    const body: Buffer[] = [];
    for (;;) {
      const text = readLine();
      const bytes = decodeBase64NoPad(text);
      if (bytes === null || bytes.length > 48) throw new AgeFormatError('invalid stanza body');
      body.push(bytes);
      if (bytes.length < 48) break;
    }
    stanzas.push({ args, body: Buffer.concat(body) });
  }
}

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(crypto().hkdfSync('sha256', ikm, salt, info, 32));
}

function chachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | null {
  if (sealed.length < TAG) return null;
  const decipher = crypto().createDecipheriv('chacha20-poly1305', key, nonce, {
    authTagLength: TAG,
  });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - TAG)),
      decipher.final(),
    ]);
  } catch {
    return null;
  }
}

/**
 * Decrypts a binary age file with `identities`, tried in order. Throws {@link NoIdentityMatchedError}
 * when none unwraps the file key, {@link AgeFormatError} for a malformed or altered file.
 */
export async function decryptNative(
  file: Uint8Array,
  identities: readonly NativeIdentity[],
): Promise<Uint8Array> {
  const header = parseHeader(file);
  let fileKey: Uint8Array | null = null;
  for (const identity of identities) {
    fileKey = await identity.unwrapFileKey(header.stanzas);
    if (fileKey !== null) break;
  }
  if (fileKey === null) throw new NoIdentityMatchedError();
  const mac = crypto()
    .createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header'))
    .update(header.headerNoMac)
    .digest();
  if (!crypto().timingSafeEqual(mac, header.mac)) throw new AgeFormatError('invalid header MAC');

  const nonce = file.subarray(header.payloadStart, header.payloadStart + 16);
  if (nonce.length !== 16) throw new AgeFormatError('the payload nonce is truncated');
  const key = hkdf(fileKey, nonce, 'payload');
  const payload = file.subarray(header.payloadStart + 16);
  const chunks: Buffer[] = [];
  const chunkNonce = Buffer.alloc(12);
  for (let offset = 0, counter = 0; ; counter++) {
    const remaining = payload.length - offset;
    const last = remaining <= CHUNK + TAG;
    chunkNonce.writeUIntBE(counter, 5, 6);
    chunkNonce[11] = last ? 1 : 0;
    const plain = chachaOpen(
      key,
      chunkNonce,
      payload.subarray(offset, offset + Math.min(remaining, CHUNK + TAG)),
    );
    if (plain === null) throw new AgeFormatError('a payload chunk failed authentication');
    if (last && counter > 0 && plain.length === 0)
      throw new AgeFormatError('the final chunk is empty');
    chunks.push(plain);
    if (last) break;
    offset += CHUNK + TAG;
  }
  return Buffer.concat(chunks);
}

// Bech32 (BIP 173), as age uses it for identities and recipients; no length limit.
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function polymod(values: readonly number[]): number {
  const generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let check = 1;
  for (const value of values) {
    const top = check >>> 25;
    check = ((check & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) check ^= generator[i]!;
  }
  return check >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const codes = [...hrp].map((c) => c.charCodeAt(0));
  return [...codes.map((c) => c >>> 5), 0, ...codes.map((c) => c & 31)];
}

function convertBits(
  data: readonly number[],
  from: number,
  to: number,
  pad: boolean,
): number[] | null {
  let accumulator = 0;
  let bits = 0;
  const out: number[] = [];
  const max = (1 << to) - 1;
  for (const value of data) {
    accumulator = (accumulator << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((accumulator >>> bits) & max);
    }
  }
  if (pad) {
    if (bits > 0) out.push((accumulator << (to - bits)) & max);
  } else if (bits >= from || ((accumulator << (to - bits)) & max) !== 0) {
    return null;
  }
  return out;
}

function bech32Decode(text: string): { hrp: string; bytes: Buffer } | null {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) return null;
  const lower = text.toLowerCase();
  const split = lower.lastIndexOf('1');
  if (split < 1 || split + 7 > lower.length) return null;
  const hrp = lower.slice(0, split);
  const data: number[] = [];
  for (const c of lower.slice(split + 1)) {
    const value = CHARSET.indexOf(c);
    if (value === -1) return null;
    data.push(value);
  }
  if (polymod([...hrpExpand(hrp), ...data]) !== 1) return null;
  const bytes = convertBits(data.slice(0, -6), 5, 8, false);
  return bytes === null ? null : { hrp, bytes: Buffer.from(bytes) };
}

function bech32Encode(hrp: string, bytes: Uint8Array): string {
  const data = convertBits([...bytes], 8, 5, true)!;
  const check = polymod([...hrpExpand(hrp), ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (check >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...checksum].map((v) => CHARSET[v]).join('')}`;
}

/** An X25519 identity (`AGE-SECRET-KEY-1…`) unwrapping `X25519` stanzas on `node:crypto`. */
export class NativeX25519Identity implements NativeIdentity {
  readonly #privateKey: import('node:crypto').KeyObject;
  /** The 32-byte public key. */
  readonly #publicKey: Buffer;
  /** The identity's recipient, `age1…`. */
  readonly recipient: string;

  private constructor(secret: Buffer) {
    this.#privateKey = crypto().createPrivateKey({
      key: Buffer.concat([PKCS8_X25519, secret]),
      format: 'der',
      type: 'pkcs8',
    });
    const spki = crypto()
      .createPublicKey(this.#privateKey)
      .export({ format: 'der', type: 'spki' }) as Buffer;
    this.#publicKey = spki.subarray(spki.length - 32);
    this.recipient = bech32Encode('age', this.#publicKey);
  }

  /** The identity, or `null` when `text` is not a well-formed `AGE-SECRET-KEY-1…` X25519 identity. */
  static parse(text: string): NativeX25519Identity | null {
    if (!text.startsWith('AGE-SECRET-KEY-1')) return null;
    const decoded = bech32Decode(text);
    if (decoded?.hrp !== 'age-secret-key-' || decoded.bytes.length !== 32) return null;
    return new NativeX25519Identity(decoded.bytes);
  }

  unwrapFileKey(stanzas: NativeStanza[]): Uint8Array | null {
    for (const stanza of stanzas) {
      if (stanza.args[0] !== 'X25519') continue;
      const share = stanza.args.length === 2 ? decodeBase64NoPad(stanza.args[1]!) : null;
      if (share === null || share.length !== 32 || stanza.body.length !== FILE_KEY_BYTES + TAG)
        throw new AgeFormatError('invalid X25519 stanza');
      let secret: Buffer;
      try {
        secret = crypto().diffieHellman({
          privateKey: this.#privateKey,
          publicKey: crypto().createPublicKey({
            key: Buffer.concat([SPKI_X25519, share]),
            format: 'der',
            type: 'spki',
          }),
        });
      } catch {
        // OpenSSL refuses low-order points (an all-zero shared secret), as the specification requires.
        throw new AgeFormatError('invalid X25519 share');
      }
      const key = hkdf(secret, Buffer.concat([share, this.#publicKey]), X25519_LABEL);
      const fileKey = chachaOpen(key, Buffer.alloc(12), stanza.body);
      if (fileKey !== null) return fileKey;
    }
    return null;
  }
}
