import { EXCHANGES, matchesShape } from './exchanges.js';

/**
 * Masking helpers. A key preview shows at most the key's first 6 characters; a secret shows nothing.
 * @module
 */

/** Shown in place of a secret value. */
export const REDACTED = '[redacted]';

/**
 * A safe preview of an API key: at most its first 6 characters, and never more than half of a short
 * key, followed by `…`. Empty input gives `''`.
 */
export function maskKey(key: string | undefined): string {
  if (!key) return '';
  return `${key.slice(0, Math.min(6, Math.floor(key.length / 2)))}…`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A pattern matching `secret` however often JSON or `util.inspect` escaped it (a JSON body inside a
 * JSON log line inside an inspected error): each backslash may appear doubled any number of times,
 * and each quote may carry backslashes. Raw text matches too.
 */
function escapedPattern(secret: string): string {
  return [...secret]
    .map((c) => {
      if (c === '\\') return '\\\\+';
      if (c === '"' || c === "'" || c === '`') return `\\\\*${c}`;
      return escapeRegExp(c);
    })
    .join('');
}

/**
 * Replaces every occurrence of each secret in `text` by `[redacted]`, in every form printed text
 * can hold it (raw; JSON- and inspect-escaped, at any depth; URL-encoded as a component or a form
 * value), longest first, and also the individual lines of multi-line secrets (PEM blocks). Secrets
 * shorter than 4 characters are ignored: masking them would shred ordinary text and they are
 * refused by validation anyway. A JSON Web Token is redacted whatever the secrets: it is a
 * credential by itself (Coinbase's request JWT, signed with the key and naming it in `kid`).
 */
export function redactText(text: string, secrets: Iterable<string | undefined>): string {
  return redactSecrets(text, secrets).replace(JWT, REDACTED);
}

// Header and claims are base64url JSON objects (`eyJ` is `{"`); the signature follows.
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g;

function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    for (const part of [secret, ...secret.split(/\r?\n/)]) {
      const trimmed = part.trim();
      if (trimmed.length < 4) continue;
      needles.add(trimmed);
      needles.add(encodeURIComponent(trimmed));
      needles.add(new URLSearchParams({ v: trimmed }).toString().slice(2));
    }
  }
  if (needles.size === 0) return text;
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(sorted.map(escapedPattern).join('|'), 'g');
  return text.replace(pattern, REDACTED);
}

/** Bits of information per character of `text`, from its character frequencies. */
function entropyPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A run of 16+ key-like characters, mixing classes, as random as generated keys are. */
function isRandomRun(run: string): boolean {
  if (run.length < 16) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(run)).length;
  return classes >= 2 && entropyPerChar(run) >= 3.2;
}

/**
 * The one rule for echoing what a user typed: true when `value` looks like a credential pasted in
 * the wrong place, so a message must mask it. That is a value of 12 or more characters that matches
 * an exchange's key or secret shape (see `EXCHANGES`), holds a PEM block, or contains a random run of
 * 16 or more key characters. Paths (`config/bot.env`, `/run/secrets/x`), words and numbers are not:
 * the user should see a typo in full.
 */
export function looksLikeCredential(value: string): boolean {
  const text = value.trim();
  if (text.length < 12) return false;
  if (text.includes('-----BEGIN')) return true;
  for (const facts of Object.values(EXCHANGES)) {
    for (const shape of [facts.key, facts.secret, facts.passphrase]) {
      if (shape !== undefined && shape.charset !== 'any' && matchesShape(shape, text)) return true;
    }
  }
  return text.split(/[^A-Za-z0-9+=]+/).some(isRandomRun);
}

/** Longer inputs are not typos to read back: messages shorten them like credentials. */
const MAX_ECHOED_LENGTH = 128;

/**
 * How a message shows a value the user typed: in full (JSON-quoted) unless it
 * {@link looksLikeCredential} or is over 128 characters, then its first 3 characters and its length.
 */
export function describeInput(value: unknown): string {
  if (typeof value !== 'string') return `(${typeof value})`;
  return looksLikeCredential(value) || value.length > MAX_ECHOED_LENGTH
    ? `"${value.slice(0, 3)}…" (${value.length} characters)`
    : JSON.stringify(value);
}
