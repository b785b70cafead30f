/**
 * Masks secrets in a byte stream, as `exkeys run` does to its child's stdout and stderr: every
 * configured value (raw and in the encodings the scanner knows) and request signatures where they
 * can be recognised (`signature=…`, `X-BAPI-SIGN`, `OK-ACCESS-SIGN`). Works on bytes, so output in
 * any encoding passes through untouched, and handles a secret split across chunks by holding back
 * only a tail that could still become one (at most {@link MAX_HOLD} bytes).
 * @module
 */
import { Transform, type TransformCallback } from 'node:stream';

/** A value to mask and the name shown in its place. */
export interface MaskedValue {
  /** The variable that holds the value, shown as `[masked:NAME]`. */
  name: string;
  /** The text to replace (UTF-8). */
  value: string;
}

/** The longest tail ever held back waiting for more output. */
export const MAX_HOLD = 4096;

/** Shorter values would shred ordinary output; validation refuses them anyway. */
const MIN_MASKED_LENGTH = 6;

// Signature labels: Binance's query parameter, Bybit's, OKX's, KuCoin's and Kraken's headers (KuCoin's signed
// passphrase is the same on every request), as printed by ccxt's verbose mode, curl -v and loggers.
const LABEL = String.raw`(?:signature=|(?:x-bapi-sign|ok-access-sign|kc-api-sign|kc-api-passphrase|api-sign)["']?\s*[:=]\s*["']?)`;
const SIGNATURE = new RegExp(`(${LABEL})([A-Za-z0-9+/=%]{16,})`, 'gi');
// A label, complete or not yet followed by its separator, and the value so far, at the very end.
const SIGNATURE_TAIL =
  /(?:signature|x-bapi-sign|ok-access-sign|kc-api-sign|kc-api-passphrase|api-sign)["'\s:=]*[A-Za-z0-9+/=%]*$/i;
const LABEL_WORDS = [
  'signature=',
  'x-bapi-sign',
  'ok-access-sign',
  'kc-api-sign',
  'kc-api-passphrase',
  'api-sign',
];
const SIGNATURE_MASK = '[masked signature]';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Match {
  start: number;
  end: number;
  replacement: string;
}

/** Masks a stream pushed in chunks; see the module comment. */
export class OutputMasker {
  private readonly needles: ReadonlyArray<{ text: string; mask: string }>;
  private readonly pattern: RegExp | undefined;
  private readonly maskOf: ReadonlyMap<string, string>;
  private pending = '';

  /** @param values The values to mask; each is searched as its UTF-8 bytes. */
  constructor(values: readonly MaskedValue[]) {
    const byText = new Map<string, string>();
    for (const { name, value } of values) {
      if (value.length < MIN_MASKED_LENGTH) continue;
      const bytes = Buffer.from(value, 'utf8').toString('latin1');
      if (!byText.has(bytes)) byText.set(bytes, `[masked:${name}]`);
    }
    this.needles = [...byText]
      .map(([text, mask]) => ({ text, mask }))
      .sort((a, b) => b.text.length - a.text.length);
    this.maskOf = byText;
    this.pattern =
      this.needles.length === 0
        ? undefined
        : new RegExp(this.needles.map((needle) => escapeRegExp(needle.text)).join('|'), 'g');
  }

  /** Takes the next chunk and returns what can be written now. */
  push(chunk: Uint8Array): Buffer {
    this.pending += Buffer.from(chunk).toString('latin1');
    return this.drain(false);
  }

  /** Returns everything still held back, masked. */
  end(): Buffer {
    return this.drain(true);
  }

  /** How many trailing characters of `text` could still become a secret or a signature. */
  private holdback(text: string): number {
    let hold = 0;
    for (const { text: needle } of this.needles) {
      for (let length = Math.min(needle.length - 1, text.length); length > hold; length -= 1) {
        if (text.endsWith(needle.slice(0, length))) {
          hold = length;
          break;
        }
      }
    }
    const tail = text.slice(-MAX_HOLD);
    const signature = SIGNATURE_TAIL.exec(tail);
    if (signature) hold = Math.max(hold, tail.length - signature.index);
    const lower = tail.slice(-16).toLowerCase();
    for (const word of LABEL_WORDS) {
      for (let length = Math.min(word.length, lower.length); length > hold; length -= 1) {
        if (lower.endsWith(word.slice(0, length))) {
          hold = length;
          break;
        }
      }
    }
    return Math.min(hold, MAX_HOLD);
  }

  private matches(text: string): Match[] {
    const found: Match[] = [];
    if (this.pattern !== undefined) {
      for (const match of text.matchAll(this.pattern)) {
        found.push({
          start: match.index,
          end: match.index + match[0].length,
          replacement: this.maskOf.get(match[0]) ?? '[masked]',
        });
      }
    }
    for (const match of text.matchAll(SIGNATURE)) {
      const label = match[1] ?? '';
      found.push({
        start: match.index,
        end: match.index + match[0].length,
        replacement: `${label}${SIGNATURE_MASK}`,
      });
    }
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: Match[] = [];
    for (const match of found) {
      const last = kept.at(-1);
      if (last === undefined || match.start >= last.end) kept.push(match);
    }
    return kept;
  }

  private drain(final: boolean): Buffer {
    const text = this.pending;
    const matches = this.matches(text);
    let cut = final ? text.length : text.length - this.holdback(text);
    for (const match of matches) {
      if (match.start < cut && match.end > cut) {
        // Never cut a secret in two: write it (masked) and hold back from its end.
        cut = Math.max(match.end, text.length - this.holdback(text.slice(match.end)));
      }
    }
    let out = '';
    let at = 0;
    for (const match of matches) {
      if (match.end > cut) break;
      out += text.slice(at, match.start) + match.replacement;
      at = match.end;
    }
    out += text.slice(at, cut);
    this.pending = text.slice(cut);
    return Buffer.from(out, 'latin1');
  }
}

/** A stream that masks what flows through it with an {@link OutputMasker}. */
export function maskingStream(values: readonly MaskedValue[]): Transform {
  const masker = new OutputMasker(values);
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      const out = masker.push(chunk);
      done(null, out.length > 0 ? out : undefined);
    },
    flush(done: TransformCallback) {
      const out = masker.end();
      done(null, out.length > 0 ? out : undefined);
    },
  });
}
