import { describe, expect, it } from 'vitest';
import { MAX_HOLD, OutputMasker } from './output-masker.js';

const SECRET = 'CANARYSECRET0bybit0Zq8Wm3Kx7Tn2Lp5Rv';
const KEY = 'CANARYkey0bybit001';
const PASSPHRASE = 'Canäry Pass/8x+Q"z';
const VALUES = [
  { name: 'BYBIT_API_SECRET', value: SECRET },
  { name: 'BYBIT_API_KEY', value: KEY },
  { name: 'OKX_API_PASSPHRASE', value: PASSPHRASE },
];

/** Feeds `text` to a fresh masker in the given pieces and returns everything written. */
function mask(pieces: readonly string[]): string {
  const masker = new OutputMasker(VALUES);
  const out = pieces.map((piece) => masker.push(Buffer.from(piece, 'utf8')));
  out.push(masker.end());
  return Buffer.concat(out).toString('utf8');
}

function everySplit(text: string): string[][] {
  const splits: string[][] = [];
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at <= bytes.length; at += 1) {
    splits.push([bytes.subarray(0, at).toString('latin1'), bytes.subarray(at).toString('latin1')]);
  }
  return splits;
}

/** Like {@link mask}, with pieces given as raw bytes (a split may fall inside a UTF-8 character). */
function maskBytes(pieces: readonly Buffer[]): string {
  const masker = new OutputMasker(VALUES);
  const out = pieces.map((piece) => masker.push(piece));
  out.push(masker.end());
  return Buffer.concat(out).toString('utf8');
}

describe('OutputMasker', () => {
  it('masks every value wherever a chunk boundary falls, byte by byte included', () => {
    const text = `start ${SECRET} key=${KEY} pass=${PASSPHRASE} end ünïcode\n`;
    const expected =
      'start [masked:BYBIT_API_SECRET] key=[masked:BYBIT_API_KEY] pass=[masked:OKX_API_PASSPHRASE] end ünïcode\n';
    expect(mask([text])).toBe(expected);
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at <= bytes.length; at += 1) {
      expect(maskBytes([bytes.subarray(0, at), bytes.subarray(at)]), `split at ${at}`).toBe(
        expected,
      );
    }
    expect(maskBytes([...bytes].map((byte) => Buffer.from([byte])))).toBe(expected);
    expect(everySplit(text).length).toBe(bytes.length + 1);
  });

  it('masks request signatures by their labels, split or not, and leaves other text alone', () => {
    const hex = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const base64 = 'kX9mQ2v7Lr5tYp3Wz8Nn1Bq4Hs6Jd0Fc2Ae5Gu7Io9U=';
    const text = `GET /api/v3/order?symbol=BTCUSDT&timestamp=1&signature=${hex} 200\nX-BAPI-SIGN: ${hex}\n{"OK-ACCESS-SIGN":"${base64}"}\n'API-Sign': '${base64}'\nplain hash ${hex}\n`;
    const expected = `GET /api/v3/order?symbol=BTCUSDT&timestamp=1&signature=[masked signature] 200\nX-BAPI-SIGN: [masked signature]\n{"OK-ACCESS-SIGN":"[masked signature]"}\n'API-Sign': '[masked signature]'\nplain hash ${hex}\n`;
    expect(mask([text])).toBe(expected);
    for (const [first = '', second = ''] of everySplit(text)) {
      expect(mask([first, second]).replace(/\s+$/, ''), JSON.stringify(first.slice(-12))).toBe(
        expected.replace(/\s+$/, ''),
      );
    }
  });

  it("masks KuCoin's signature and signed passphrase headers, as ccxt's verbose mode prints them", () => {
    const base64 = 'kX9mQ2v7Lr5tYp3Wz8Nn1Bq4Hs6Jd0Fc2Ae5Gu7Io9U=';
    const text = `  'KC-API-KEY-VERSION': '2',\n  'KC-API-PASSPHRASE': '${base64}',\n  'KC-API-SIGN': '${base64}',\n`;
    const expected = `  'KC-API-KEY-VERSION': '2',\n  'KC-API-PASSPHRASE': '[masked signature]',\n  'KC-API-SIGN': '[masked signature]',\n`;
    expect(mask([text])).toBe(expected);
    for (const [first = '', second = ''] of everySplit(text)) {
      expect(mask([first, second]).replace(/\s+$/, ''), JSON.stringify(first.slice(-12))).toBe(
        expected.replace(/\s+$/, ''),
      );
    }
  });

  it('writes ordinary output at once and holds back only what could still become a secret', () => {
    const masker = new OutputMasker(VALUES);
    expect(masker.push(Buffer.from('hello world\n')).toString()).toBe('hello world\n');
    // "CANARYS" could be the start of the secret: held until the next chunk says otherwise.
    expect(masker.push(Buffer.from('token CANARYS')).toString()).toBe('token ');
    expect(masker.push(Buffer.from('omething else\n')).toString()).toBe('CANARYSomething else\n');
    const signed = masker.push(Buffer.from(`signature=${'ab'.repeat(40)}`)).toString();
    expect(signed + masker.end().toString()).toBe('signature=[masked signature]');
    // Bounded memory: a run after a label is never held beyond MAX_HOLD characters.
    const long = new OutputMasker(VALUES);
    let fed = 0;
    let firstWrite: number | undefined;
    long.push(Buffer.from('signature='));
    for (let i = 0; i < 100 && firstWrite === undefined; i += 1) {
      fed += 100;
      if (long.push(Buffer.from('c'.repeat(100))).length > 0) firstWrite = fed;
    }
    expect(firstWrite).toBeDefined();
    expect(firstWrite).toBeLessThanOrEqual(MAX_HOLD + 100);
  });

  it('masks nothing when there is nothing to mask (control)', () => {
    const text = `CANARYSECRET is not the secret; ${SECRET.slice(0, 20)} is only part of it\n`;
    expect(mask([text])).toBe(text);
  });
});
