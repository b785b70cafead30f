/**
 * The age passphrase (scrypt) recipient and identity on `node:crypto`. age-encryption's own scrypt is
 * pure JavaScript and about 1.5× slower than OpenSSL's; these plug into its `Encrypter`/`Decrypter`
 * through the public `Recipient`/`Identity` interfaces and produce byte-for-byte standard stanzas
 * (age-encryption.org/v1, "scrypt recipient stanza"), so the `age` CLI reads what they write.
 * @module
 */
import { createRequire } from 'node:module';
import type { Identity, Recipient, Stanza } from 'age-encryption';

// `ageStore` is exported by the package entry, so a static import of node:crypto here would cost
// every process that only loads a .env (start-up); it is required on first use instead.
let nodeCrypto: typeof import('node:crypto') | undefined;
const crypto = () => {
  nodeCrypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return nodeCrypto;
};

const SALT_LABEL = 'age-encryption.org/v1/scrypt';
const FILE_KEY_BYTES = 16;
const TAG_BYTES = 16;
/** age's own default work factor. */
export const DEFAULT_SCRYPT_WORK_FACTOR = 18;
// The reference implementation refuses files above 2^22 when decrypting: more is a denial of service.
const MAX_SCRYPT_WORK_FACTOR = 22;

function deriveWrapKey(passphrase: string, salt: Uint8Array, logN: number): Promise<Buffer> {
  const labelAndSalt = Buffer.concat([Buffer.from(SALT_LABEL, 'latin1'), salt]);
  const N = 2 ** logN;
  // Node refuses anything above 32 MiB by default; scrypt needs 128·N·r bytes.
  const maxmem = 2 * 128 * N * 8;
  return new Promise((resolve, reject) => {
    crypto().scrypt(passphrase, labelAndSalt, 32, { N, r: 8, p: 1, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function nonce(): Buffer {
  return Buffer.alloc(12);
}

function encodeBase64NoPad(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

// Strict, canonical decoding: the spec forbids padding and non-canonical encodings.
function decodeBase64NoPad(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return encodeBase64NoPad(bytes) === text ? bytes : null;
}

/** Wraps a file key for a passphrase: `-> scrypt <salt> <logN>` with a ChaCha20-Poly1305 body. */
export class NativeScryptRecipient implements Recipient {
  readonly #passphrase: string;
  readonly #logN: number;

  /**
   * @param passphrase - The passphrase to encrypt to.
   * @param logN - The scrypt work factor as log2(N). @default 18
   */
  constructor(passphrase: string, logN: number = DEFAULT_SCRYPT_WORK_FACTOR) {
    checkWorkFactor(logN);
    this.#passphrase = passphrase;
    this.#logN = logN;
  }

  async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
    const salt = crypto().randomBytes(16);
    const key = await deriveWrapKey(this.#passphrase, salt, this.#logN);
    return [stanza(['scrypt', encodeBase64NoPad(salt), String(this.#logN)], wrap(key, fileKey))];
  }
}

/**
 * Unwraps a file key from a passphrase stanza; returns `null` when the passphrase is wrong. It
 * remembers the wrap keys it derived (by salt), so opening the same file again costs no scrypt.
 */
export class NativeScryptIdentity implements Identity {
  readonly #passphrase: string;
  readonly #keys = new Map<string, Promise<Buffer>>();

  /** @param passphrase - The passphrase to try. */
  constructor(passphrase: string) {
    this.#passphrase = passphrase;
  }

  #derive(salt: Buffer, logN: number): Promise<Buffer> {
    const id = `${logN}:${salt.toString('base64')}`;
    let key = this.#keys.get(id);
    if (key === undefined) {
      key = deriveWrapKey(this.#passphrase, salt, logN);
      key.catch(() => this.#keys.delete(id));
      // A store sees a new salt per write; a handful is all it ever needs again.
      if (this.#keys.size >= 8) this.#keys.delete(this.#keys.keys().next().value!);
      this.#keys.set(id, key);
    }
    return key;
  }

  /**
   * A single-use recipient for the same passphrase whose scrypt work is done now, before any lock is
   * taken, and remembered, so decrypting the file it writes is free. Wrapping is then instant.
   */
  async prepareRecipient(logN: number = DEFAULT_SCRYPT_WORK_FACTOR): Promise<Recipient> {
    checkWorkFactor(logN);
    const salt = crypto().randomBytes(16);
    const key = await this.#derive(salt, logN);
    let used = false;
    return {
      wrapFileKey(fileKey: Uint8Array): Stanza[] {
        // One salt per file: a second file must not share it.
        if (used) throw new Error('a prepared scrypt recipient wraps one file key only');
        used = true;
        return [stanza(['scrypt', encodeBase64NoPad(salt), String(logN)], wrap(key, fileKey))];
      },
    };
  }

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    for (const stanza of stanzas) {
      if (stanza.args[0] !== 'scrypt') continue;
      // Mixing a passphrase with other recipients would let any recipient swap the payload.
      if (stanzas.length !== 1) throw new Error('scrypt stanza is not the only one in the header');
      const [, saltText, logNText] = stanza.args;
      if (stanza.args.length !== 3 || saltText === undefined || logNText === undefined) {
        throw new Error('invalid scrypt stanza');
      }
      const salt = decodeBase64NoPad(saltText);
      if (salt === null || salt.length !== 16 || !/^[1-9][0-9]*$/.test(logNText)) {
        throw new Error('invalid scrypt stanza');
      }
      const logN = Number(logNText);
      if (logN > MAX_SCRYPT_WORK_FACTOR) throw new Error('scrypt work factor is too high');
      if (stanza.body.length !== FILE_KEY_BYTES + TAG_BYTES)
        throw new Error('invalid scrypt stanza');
      return unwrap(await this.#derive(salt, logN), stanza.body);
    }
    return null;
  }
}

function checkWorkFactor(logN: number): void {
  if (!Number.isInteger(logN) || logN < 1 || logN > MAX_SCRYPT_WORK_FACTOR) {
    throw new RangeError(
      `scrypt work factor must be an integer from 1 to ${MAX_SCRYPT_WORK_FACTOR}`,
    );
  }
}

function wrap(key: Buffer, fileKey: Uint8Array): Buffer {
  const cipher = crypto().createCipheriv('chacha20-poly1305', key, nonce(), {
    authTagLength: TAG_BYTES,
  });
  return Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
}

function unwrap(key: Buffer, body: Uint8Array): Buffer | null {
  const decipher = crypto().createDecipheriv('chacha20-poly1305', key, nonce(), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAuthTag(body.subarray(FILE_KEY_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, FILE_KEY_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

// A plain stanza: age-encryption only reads `args` and `body`, and avoiding its class keeps the
// package's import (about 80 ms) off the start-up path.
function stanza(args: string[], body: Uint8Array): Stanza {
  return { args, body };
}
