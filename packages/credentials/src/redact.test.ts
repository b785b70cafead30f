import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { describeInput, looksLikeCredential, maskKey, REDACTED, redactText } from './redact.js';

// Every printable ASCII character, so that each escaping rule is exercised.
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** The secret, or any 8-character piece of it, in any form: the assertion behind "no part leaks". */
function leaked(text: string, secret: string): string | undefined {
  const forms = (s: string) => [
    s,
    JSON.stringify(s).slice(1, -1),
    inspect(s).slice(1, -1),
    encodeURIComponent(s),
  ];
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    if (!/[A-Za-z0-9]{3}/.test(piece)) continue;
    for (const form of forms(piece)) if (text.includes(form)) return form;
  }
  return undefined;
}

describe('redactText', () => {
  it.each(ASCII.split(''))('redacts every printed form of a secret holding %j', (char) => {
    const secret = `CANARY${char}sec${char}ret${char}0123456789`;
    const body = { passphrase: secret, nested: JSON.stringify({ secret }) };
    const printed = [
      secret,
      JSON.stringify(body),
      JSON.stringify(JSON.stringify(body)),
      inspect(body, { depth: 5 }),
      inspect({ headers: { 'OK-ACCESS-PASSPHRASE': secret } }),
      inspect(JSON.stringify(body)),
      format('%j %o %O', body, body, body),
      `https://x.invalid/p?signature=${encodeURIComponent(secret)}`,
      new URLSearchParams({ secret }).toString(),
      inspect([`${secret}'`, `${secret}"`, `${secret}\``, `'"${secret}`]),
    ].join('\n');
    const out = redactText(printed, [secret]);
    expect(out).toContain(REDACTED);
    expect(leaked(out, secret)).toBeUndefined();
    expect(out).not.toContain('CANARY');
  });

  it('redacts each line of a multi-line secret (PEM), and leaves other text alone', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEICANARYlineOne\n-----END PRIVATE KEY-----';
    const out = redactText(`key: ${JSON.stringify(pem)} other: hello world`, [pem]);
    expect(out).not.toContain('CANARYlineOne');
    expect(out).toContain('other: hello world');
  });

  it('control: text without the secret is unchanged; short or empty secrets are ignored', () => {
    const text = `plain text ${ASCII}`;
    expect(redactText(text, ['CANARYnotHere99', undefined, '', 'abc'])).toBe(text);
  });
});

describe('maskKey', () => {
  it('shows at most 6 characters, never more than half of a short key', () => {
    expect(maskKey('ABCDEFGHIJKL')).toBe('ABCDEF…');
    expect(maskKey('ABCDEFGH')).toBe('ABCD…');
    expect(maskKey('AB')).toBe('A…');
    expect(maskKey('')).toBe('');
    expect(maskKey(undefined)).toBe('');
  });
});

describe('redaction', () => {
  it('shows at most 6 characters of a key, and at most half of a short one', () => {
    expect(maskKey('ABCDEFGHIJKL')).toBe('ABCDEF…');
    expect(maskKey('ABCD')).toBe('AB…');
    expect(maskKey('')).toBe('');
    expect(maskKey(undefined)).toBe('');
  });

  it('removes secrets, their PEM lines and URL-encoded forms from text', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nCANARYline1abcdef\n-----END PRIVATE KEY-----';
    const text = `a CANARYsecret+/= b ${encodeURIComponent('CANARYsecret+/=')} c CANARYline1abcdef`;
    const out = redactText(text, ['CANARYsecret+/=', pem, undefined, 'ab']);
    expect(out).not.toContain('CANARY');
    expect(out).toContain(' b ');
  });
});

describe('redactText edge cases', () => {
  it('masks every occurrence, longest secret first, and leaves other text alone', () => {
    const secret = 'CANARYsecretABCDEFGH';
    const prefix = 'CANARYsecret';
    const text = `one ${secret} two ${secret} three ${prefix} four`;
    const out = redactText(text, [prefix, secret]);
    // The whole secret is masked as one, not as the prefix followed by a visible tail.
    expect(out).toBe(`one ${REDACTED} two ${REDACTED} three ${REDACTED} four`);
    expect(out).not.toContain('ABCDEFGH');
  });

  it('ignores secrets under 4 characters, and keeps text without secrets unchanged (control)', () => {
    expect(redactText('a abc b', ['abc'])).toBe('a abc b');
    expect(redactText('nothing to hide here', ['CANARYabsent1'])).toBe('nothing to hide here');
    expect(redactText('x CANARYabcd y', ['CANARYabcd'])).toBe(`x ${REDACTED} y`);
  });

  it('masks the trimmed lines of a PEM secret but not its BEGIN/END markers when alone', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\r\nCANARYpemLine0001\r\nCANARYpemLine0002\r\n-----END PRIVATE KEY-----';
    const out = redactText('got CANARYpemLine0002 and CANARYpemLine0001', [pem]);
    expect(out).toBe(`got ${REDACTED} and ${REDACTED}`);
  });

  it('never shows more than 6 characters of a long key, nor half of a short one', () => {
    for (let length = 1; length <= 80; length += 1) {
      const key = 'K'.repeat(length);
      const shown = maskKey(key).replace('…', '');
      expect(shown.length).toBeLessThanOrEqual(Math.min(6, Math.floor(length / 2)));
      expect(maskKey(key).endsWith('…')).toBe(true);
    }
  });
});

describe('looksLikeCredential and describeInput: the one rule for echoing input', () => {
  const random = (length: number, chars: string, seed = 7) => {
    let x = seed;
    return Array.from({ length }, () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return chars[x % chars.length];
    }).join('');
  };
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const hex = '0123456789abcdef';

  it('masks credentials pasted in the wrong place, in any case', () => {
    const values = [
      random(18, alnum), // a Bybit key
      random(36, alnum), // a Bybit secret
      random(64, alnum), // a Binance key
      random(32, hex).toUpperCase(), // an OKX secret, upper-cased as a profile would be
      '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', // an OKX key
      `${random(20, alnum)}/${random(20, alnum)}+=`, // base64 with a slash
      '-----BEGIN PRIVATE KEY-----',
      `https://${random(24, alnum)}.invalid`, // a secret inside a URL
    ];
    for (const value of values) {
      expect(looksLikeCredential(value), value).toBe(true);
      expect(describeInput(value)).toBe(`"${value.slice(0, 3)}…" (${value.length} characters)`);
    }
  });

  it('control: shows paths, words, numbers and URLs in full, so a typo is visible', () => {
    const values = [
      'src',
      'missing.env.age',
      'config/bot.env',
      '/run/secrets/bybit_api_secret',
      './keys/binance-ed25519-private.pem',
      'http://127.0.0.1:8080',
      'ninety-days',
      '90d',
      'GRIDBOT2',
      'https://api.bybit.com/v5',
    ];
    for (const value of values) {
      expect(looksLikeCredential(value), value).toBe(false);
      expect(describeInput(value)).toBe(JSON.stringify(value));
    }
    expect(describeInput('x'.repeat(200))).toBe('"xxx…" (200 characters)');
  });
});

describe('redactText and JSON Web Tokens', () => {
  it('redacts a JWT (a Coinbase request token) with no secret given, and keeps ordinary text', () => {
    const header = Buffer.from(
      '{"alg":"ES256","kid":"organizations/x/apiKeys/CANARYKEY"}',
    ).toString('base64url');
    const claims = Buffer.from('{"sub":"organizations/x/apiKeys/CANARYKEY","iss":"cdp"}').toString(
      'base64url',
    );
    const token = `${header}.${claims}.${'Sig0_-'.repeat(12)}`;
    const text = redactText(`Authorization: Bearer ${token} sent`, []);
    expect(text).toBe('Authorization: Bearer [redacted] sent');
    expect(redactText('eyJ is not a token, nor is a.b.c', [])).toBe(
      'eyJ is not a token, nor is a.b.c',
    );
  });
});
