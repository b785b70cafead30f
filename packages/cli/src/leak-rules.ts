/**
 * What a leaked exchange credential looks like: key-shaped strings near the exchange's name, and
 * exact copies of the values configured in the store. Used by `exkeys scan`.
 * @module
 */
import {
  EXCHANGES,
  type ExchangeFacts,
  maskKey,
  parseVariableName,
  REDACTED,
  shapeSource,
} from '@exkeys/credentials';

/** A pattern for one kind of exchange credential. */
export interface LeakRule {
  /** Stable id shown in reports, e.g. `bybit-secret`. */
  id: string;
  /** The exchange whose name must appear within {@link NEAR_LINES} lines for a match to count. */
  exchange: string;
  /** Keys are shown as a 6-character preview; secrets are fully masked. */
  kind: 'key' | 'secret';
  /** The credential's shape, matched as a whole token (not inside a longer run of letters/digits). */
  pattern: RegExp;
  /** The match is a fixed marker (a PEM header), not a random-looking value. */
  marker?: boolean;
}

/** How many lines above and below a match the exchange's name may be. */
export const NEAR_LINES = 2;

function token(body: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9-])(?:${body})(?![A-Za-z0-9-])`, 'g');
}

/** The header line of a PEM private key: Ed25519 and RSA keys, in every common encoding. */
const PRIVATE_KEY_MARKER = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/g;

/**
 * The rules for one exchange, built from the core's exchange table so that every key and secret
 * that validation accepts is found: a key rule and a secret rule (one `key-or-secret` rule, masked
 * as a secret, when both share a shape), and a private-key rule when the secret may be a PEM key.
 */
export function rulesFor(facts: ExchangeFacts): LeakRule[] {
  const exchange = facts.id;
  const key = shapeSource(facts.key);
  const secret = shapeSource(facts.secret);
  const rules: LeakRule[] =
    key === secret
      ? [{ id: `${exchange}-key-or-secret`, exchange, kind: 'secret', pattern: token(secret) }]
      : [
          { id: `${exchange}-key`, exchange, kind: 'key', pattern: token(key) },
          { id: `${exchange}-secret`, exchange, kind: 'secret', pattern: token(secret) },
        ];
  if (facts.pemKeyTypes.length > 0) {
    rules.push({
      id: `${exchange}-private-key`,
      exchange,
      kind: 'secret',
      pattern: new RegExp(PRIVATE_KEY_MARKER),
      marker: true,
    });
  }
  return rules;
}

/** The built-in rules: {@link rulesFor} every exchange in the core's table. */
export const LEAK_RULES: readonly LeakRule[] = Object.values(EXCHANGES).flatMap(rulesFor);

/** Random-looking: letters and digits mixed, and enough distinct characters to not be filler. */
export function looksRandom(value: string): boolean {
  const alnum = value.replace(/[^A-Za-z0-9]/g, '');
  return /[0-9]/.test(alnum) && /[A-Za-z]/.test(alnum) && new Set(alnum).size >= 8;
}

/** A value configured in the store, searched for verbatim. */
export interface ConfiguredValue {
  /** The variable holding it, e.g. `BYBIT_API_SECRET`. */
  variable: string;
  /** Keys get a preview; secrets and passphrases are fully masked. */
  kind: 'key' | 'secret';
  /** The text to look for: the value, or one line of a PEM secret. */
  needle: string;
}

/** Shorter values are too likely to occur by chance. */
const MIN_NEEDLE_LENGTH = 8;

/**
 * The verbatim needles for every credential variable in `env`: whole values, plus each long line of
 * multi-line (PEM) secrets.
 */
export function configuredValues(
  env: Readonly<Record<string, string | undefined>>,
): ConfiguredValue[] {
  const values: ConfiguredValue[] = [];
  for (const [variable, value] of Object.entries(env)) {
    const parsed = parseVariableName(variable);
    if (!parsed || !value) continue;
    const kind = parsed.field === 'key' ? 'key' : 'secret';
    const parts = value.includes('\n')
      ? value.split(/\r?\n/).filter((line) => line.length >= 20 && !line.startsWith('-----'))
      : [value];
    for (const needle of parts) {
      if (needle.length >= MIN_NEEDLE_LENGTH) values.push({ variable, kind, needle });
    }
  }
  return values.sort((a, b) => b.needle.length - a.needle.length);
}

/** What a finding shows of a value: a key's first ≤6 characters, nothing of a secret. */
export function previewOf(kind: 'key' | 'secret', value: string): string {
  return kind === 'key' ? maskKey(value) : REDACTED;
}
