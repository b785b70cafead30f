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
  type ValueShape,
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
  /** The same shape anchored at both ends, to test one token (a run of `A-Za-z0-9-`). */
  whole: RegExp;
  /** The match is a fixed marker (a PEM header), not a random-looking value. */
  marker?: boolean;
  /**
   * The value is base64 (a Coinbase Ed25519 secret, a Kraken key or private key): its tokens are runs of `A-Za-z0-9+/=`
   * ({@link BASE64_TOKEN_CHARS}), not of `A-Za-z0-9-`.
   */
  base64?: boolean;
}

/** The characters of a base64 token. */
export const BASE64_TOKEN_CHARS = 'A-Za-z0-9+/=';

/** The part of a shape the scanner looks for: the shape itself, or the token inside a pattern. */
function scannedShape(shape: ValueShape): ValueShape {
  return shape.pattern?.token ?? shape;
}

/** How many lines below a match the exchange's name may be. */
export const NEAR_LINES = 2;

/**
 * How many lines above a match the exchange's name may be: a ccxt config object names the exchange
 * on its first line (`new ccxt.bybit({`) and may set other options before `apiKey`.
 */
export const LINES_ABOVE = 12;

function token(body: string, chars = 'A-Za-z0-9-'): RegExp {
  // `=` only pads the end of a base64 value: it may precede one (`NAME=<value>`).
  return new RegExp(`(?<![${chars.replace('=', '')}])(?:${body})(?![${chars}])`, 'g');
}

function whole(body: string): RegExp {
  return new RegExp(`^(?:${body})$`);
}

/** The header line of a PEM private key: Ed25519 and RSA keys, in every common encoding. */
const PRIVATE_KEY_MARKER = /-----BEGIN (?:RSA |EC |ENCRYPTED |OPENSSH )?PRIVATE KEY-----/g;

/**
 * A PEM private key with no exchange name nearby: found by its header alone, since a downloaded
 * `private.pem` names no exchange. Reported under this id, for no particular exchange.
 */
export const PRIVATE_KEY_RULE: LeakRule = {
  id: 'private-key',
  exchange: '',
  kind: 'secret',
  pattern: PRIVATE_KEY_MARKER,
  whole: whole(PRIVATE_KEY_MARKER.source),
  marker: true,
};

/**
 * The rules for one exchange, built from the core's exchange table so that every key and secret
 * that validation accepts is found: a key rule and a secret rule (one `key-or-secret` rule, masked
 * as a secret, when both share a shape), and a private-key rule when the secret may be a PEM key.
 */
export function rulesFor(facts: ExchangeFacts): LeakRule[] {
  const exchange = facts.id;
  const key = shapeSource(scannedShape(facts.key));
  const secret = shapeSource(scannedShape(facts.secret));
  const base64 = scannedShape(facts.secret).charset === 'base64';
  const keyBase64 = scannedShape(facts.key).charset === 'base64';
  const rules: LeakRule[] =
    key === secret
      ? [
          {
            id: `${exchange}-key-or-secret`,
            exchange,
            kind: 'secret',
            pattern: token(secret),
            whole: whole(secret),
          },
        ]
      : [
          {
            id: `${exchange}-key`,
            exchange,
            kind: 'key',
            pattern: keyBase64 ? token(key, BASE64_TOKEN_CHARS) : token(key),
            whole: whole(key),
            ...(keyBase64 ? { base64: keyBase64 } : {}),
          },
          {
            id: `${exchange}-secret`,
            exchange,
            kind: 'secret',
            pattern: base64 ? token(secret, BASE64_TOKEN_CHARS) : token(secret),
            whole: whole(secret),
            ...(base64 ? { base64 } : {}),
          },
        ];
  if (facts.pemKeyTypes.length > 0) {
    rules.push({
      id: `${exchange}-private-key`,
      exchange,
      kind: 'secret',
      pattern: new RegExp(PRIVATE_KEY_MARKER),
      whole: PRIVATE_KEY_RULE.whole,
      marker: true,
    });
  }
  return rules;
}

/** The built-in rules: {@link rulesFor} every exchange in the core's table. */
export const LEAK_RULES: readonly LeakRule[] = Object.values(EXCHANGES).flatMap(rulesFor);

/**
 * True when letters-only `value` reads as words (`getExchangeBalances`, `BYBIT_API_SECRET`): its
 * case-delimited segments average 3 or more characters, each longer one has a vowel, and none
 * has 4 consonants in a row (`Agoekmjg` is no word).
 */
function readsAsWords(value: string): boolean {
  const segments = value.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? [];
  if (segments.length === 0) return false;
  const letters = segments.reduce((sum, segment) => sum + segment.length, 0);
  return (
    letters / segments.length >= 3 &&
    segments.every(
      (segment) =>
        (segment.length < 2 || /[aeiouy]/i.test(segment)) &&
        !/[bcdfghjklmnpqrstvwxz]{4}/i.test(segment),
    )
  );
}

/**
 * Random-looking: enough distinct characters to not be filler, and either letters and digits mixed
 * or letters that do not read as words. A digit is not required: about 4% of random 18-character
 * keys have none.
 */
export function looksRandom(value: string): boolean {
  const alnum = value.replace(/[^A-Za-z0-9]/g, '');
  if (new Set(alnum).size < 8) return false;
  const digits = /[0-9]/.test(alnum);
  const letters = /[A-Za-z]/.test(alnum);
  if (digits && letters) return true;
  return letters && !readsAsWords(value);
}

/** How a configured value was written where it was found. */
export type ValueEncoding = 'base64' | 'hex' | 'url' | 'json';

/** A value configured in the store, searched for verbatim and in its common encodings. */
export interface ConfiguredValue {
  /** The variable holding it, e.g. `BYBIT_API_SECRET`. */
  variable: string;
  /** Keys get a preview; secrets and passphrases are fully masked. */
  kind: 'key' | 'secret';
  /** The text to look for: the value, one line of a PEM secret, or an encoding of either. */
  needle: string;
  /** What a finding shows: the value's preview (never the needle's, which may be an encoding). */
  preview: string;
  /** Set when {@link ConfiguredValue.needle} is an encoding of the value. */
  encoding?: ValueEncoding;
}

/**
 * The base64 text every base64 encoding of `value` contains, wherever the value starts in the
 * encoded data: one needle per alignment (of the 3-byte groups), each cut to whole groups.
 */
function base64Needles(value: Buffer): string[] {
  const needles: string[] = [];
  for (let skip = 0; skip < 3; skip += 1) {
    const rest = value.subarray(skip);
    const whole = rest.subarray(0, rest.length - (rest.length % 3));
    if (whole.length >= 6) needles.push(whole.toString('base64'));
  }
  return needles;
}

/** The encodings of `value` a config or a log may hold instead of the value itself. */
function encodings(value: string): Array<[string, ValueEncoding]> {
  const bytes = Buffer.from(value, 'utf8');
  const found = new Map<string, ValueEncoding>();
  for (const needle of base64Needles(bytes)) {
    found.set(needle, 'base64');
    found.set(needle.replaceAll('+', '-').replaceAll('/', '_'), 'base64');
  }
  const hex = bytes.toString('hex');
  found.set(hex, 'hex');
  found.set(hex.toUpperCase(), 'hex');
  found.set(encodeURIComponent(value), 'url');
  found.set(encodeURIComponent(value).replaceAll('%20', '+'), 'url');
  found.set(JSON.stringify(value).slice(1, -1), 'json');
  found.delete(value);
  return [...found];
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
    for (const part of parts) {
      if (part.length < MIN_NEEDLE_LENGTH) continue;
      const preview = previewOf(kind, value);
      values.push({ variable, kind, needle: part, preview });
      for (const [needle, encoding] of encodings(part)) {
        values.push({ variable, kind, needle, preview, encoding });
      }
    }
  }
  return values.sort((a, b) => b.needle.length - a.needle.length);
}

/** What a finding shows of a value: a key's first ≤6 characters, nothing of a secret. */
export function previewOf(kind: 'key' | 'secret', value: string): string {
  return kind === 'key' ? maskKey(value) : REDACTED;
}

function shapeLengths(shape: ExchangeFacts['key']): [number, number] {
  if (shape.pattern !== undefined) return shapeLengths(shape.pattern.token);
  if (shape.groups !== undefined) {
    const length = shape.groups.reduce((sum, group) => sum + group, shape.groups.length - 1);
    return [length, length];
  }
  return [shape.minLength, shape.maxLength];
}

const SHAPES = Object.values(EXCHANGES).flatMap((facts) =>
  [facts.key, facts.secret].map(scannedShape),
);
const SHAPE_LENGTHS = SHAPES.filter((shape) => shape.charset !== 'base64').map(shapeLengths);
const BASE64_LENGTHS = SHAPES.filter((shape) => shape.charset === 'base64').map(shapeLengths);

/** The shortest and longest base64 token a rule can match; `[0, 0]` when no rule is base64. */
export const BASE64_TOKEN_LENGTHS: readonly [number, number] =
  BASE64_LENGTHS.length === 0
    ? [0, 0]
    : [
        Math.min(...BASE64_LENGTHS.map(([min]) => min)),
        Math.max(...BASE64_LENGTHS.map(([, max]) => max)),
      ];

/** The shortest token any rule can match: shorter runs of `A-Za-z0-9-` are not looked at. */
export const TOKEN_MIN_LENGTH: number = Math.min(...SHAPE_LENGTHS.map(([min]) => min));

/** The longest token any rule can match. */
export const TOKEN_MAX_LENGTH: number = Math.max(...SHAPE_LENGTHS.map(([, max]) => max));
