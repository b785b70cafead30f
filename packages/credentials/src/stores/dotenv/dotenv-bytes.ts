/**
 * Bytes of a `.env` file as text that gives the same bytes back. A line exkeys did not write may hold
 * bytes that are not UTF-8 (`DB_PASSWORD=p\xe4ss` saved as Latin-1): each such byte is held as a lone
 * surrogate U+DC80–U+DCFF (Python's "surrogateescape"), and turned back into the byte on save. No
 * well-formed string has lone surrogates, and values to store are refused when they have one, so the
 * mapping is unambiguous.
 * @module
 */

const strict = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` has a lone surrogate: a string no file encoding can hold. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** `bytes` as text; every byte that is not part of a valid UTF-8 sequence becomes U+DC00 + byte. */
export function decodeKeepingBytes(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {}
  let text = '';
  let from = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += strict.decode(bytes.subarray(from, i)) + String.fromCharCode(0xdc00 + bytes[i]!);
    i += 1;
    from = i;
  }
  return text + strict.decode(bytes.subarray(from));
}

/** The inverse of {@link decodeKeepingBytes}: UTF-8, with each escaped byte written back as itself. */
export function encodeKeepingBytes(text: string): Buffer {
  if (!hasLoneSurrogate(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      continue;
    }
    if (unit >= 0xdc80 && unit <= 0xdcff) {
      parts.push(Buffer.from(text.slice(from, i), 'utf8'), Buffer.from([unit - 0xdc00]));
      from = i + 1;
    }
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

// The length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), or 0 when the byte there does not start one.
function validSequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const continuation = (at: number, low = 0x80, high = 0xbf): boolean => {
    const b = bytes[at];
    return b !== undefined && b >= low && b <= high;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return continuation(i + 1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const low = b0 === 0xe0 ? 0xa0 : 0x80;
    const high = b0 === 0xed ? 0x9f : 0xbf;
    return continuation(i + 1, low, high) && continuation(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const low = b0 === 0xf0 ? 0x90 : 0x80;
    const high = b0 === 0xf4 ? 0x8f : 0xbf;
    return continuation(i + 1, low, high) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
  }
  return 0;
}
