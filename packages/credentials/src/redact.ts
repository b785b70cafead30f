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
 * refused by validation anyway.
 */
export function redactText(text: string, secrets: Iterable<string | undefined>): string {
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
