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

/**
 * Replaces every occurrence of each secret in `text` by `[redacted]`, longest secret first, and also
 * the individual lines of multi-line secrets (PEM blocks). Secrets shorter than 4 characters are
 * ignored: masking them would shred ordinary text and they are refused by validation anyway.
 */
export function redactText(text: string, secrets: Iterable<string | undefined>): string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    for (const part of [secret, ...secret.split(/\r?\n/), encodeURIComponent(secret)]) {
      const trimmed = part.trim();
      if (trimmed.length >= 4) needles.add(trimmed);
    }
  }
  let out = text;
  for (const needle of [...needles].sort((a, b) => b.length - a.length)) {
    out = out.split(needle).join(REDACTED);
  }
  return out;
}
