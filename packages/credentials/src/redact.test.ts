import { describe, expect, it } from 'vitest';
import { maskKey, REDACTED, redactText } from './redact.js';

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
