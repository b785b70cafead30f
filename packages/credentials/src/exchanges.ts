/**
 * What exkeys knows about each exchange it ships a package for, in one table: the display name,
 * whether keys come with a passphrase, the usual shapes of keys and secrets, which private-key types
 * the secret may be instead, and where the user manages keys. Validation, `needsPassphrase`, the
 * CLI's leak scanner, `exkeys init` and `exkeys rotate` all read it, so adding an exchange is one row
 * here plus one package.
 * @module
 */

/** The character sets a {@link ValueShape} can use. */
export type ShapeCharset = 'alphanumeric' | 'hex' | 'base64' | 'any';

/**
 * The usual shape of a key, secret or passphrase. A value either has a length in
 * `[minLength, maxLength]`, or is the {@link ValueShape.groups | groups} joined by `-` (a UUID).
 * Validation only warns on a mismatch (exchanges change formats); the scanner flags matches.
 */
export interface ValueShape {
  /**
   * Which characters: `alphanumeric` is `A-Za-z0-9`, `hex` is `0-9A-Fa-f` (either case), `base64`
   * is `A-Za-z0-9+/` with `=` padding at the end, `any` is any character including line breaks.
   * A secret that is always base64 (charset `base64` and no PEM key types: Kraken) is decoded by
   * the exchange, so validation refuses one that is not valid base64 instead of only warning.
   */
  readonly charset: ShapeCharset;
  /** Shortest accepted length, inclusive. Ignored when {@link ValueShape.groups} is set. */
  readonly minLength: number;
  /** Longest accepted length, inclusive. Ignored when {@link ValueShape.groups} is set. */
  readonly maxLength: number;
  /** Lengths of `-`-separated groups instead of one run, e.g. `[8, 4, 4, 4, 12]` for a UUID. */
  readonly groups?: readonly number[];
  /**
   * For a value that is not one run: a regular-expression source (no anchors, flags or capturing
   * groups) the whole value must match instead of `charset` and the lengths, e.g. Coinbase's key
   * name `organizations/{org_uuid}/apiKeys/{key_uuid}`. The leak scanner, which looks at runs of
   * one charset, looks for {@link ValueShape.token} instead.
   */
  readonly pattern?: {
    readonly source: string;
    readonly words: string;
    readonly token: ValueShape;
  };
}

/** A private-key type an exchange accepts as the API secret, in PEM form. */
export type PemKeyType = 'ed25519' | 'rsa' | 'ec-p256';

/** Everything exkeys knows about one exchange. */
export interface ExchangeFacts {
  /** The ccxt id, lowercase: `bybit`. */
  readonly id: string;
  /** The name shown to people: `Bybit`. */
  readonly name: string;
  /** Keys come with a passphrase chosen when the key was created (`{EXCHANGE}_API_PASSPHRASE`). */
  readonly needsPassphrase: boolean;
  /** The usual shape of the API key. */
  readonly key: ValueShape;
  /** The usual shape of an HMAC API secret. */
  readonly secret: ValueShape;
  /** The usual shape of the passphrase, for exchanges that need one. */
  readonly passphrase?: ValueShape;
  /**
   * The private-key types the exchange also accepts as the secret (as a PEM block, with the public
   * key registered on the exchange). Empty when the secret is always an HMAC secret.
   */
  readonly pemKeyTypes: readonly PemKeyType[];
  /** The page where the user creates and deletes API keys. */
  readonly apiManagementPage: string;
  /**
   * The exchange generates the key pair and hands out the private key (Coinbase CDP keys), so
   * `exkeys keygen` has nothing to generate. Absent: the user generates the pair.
   * @default false
   */
  readonly exchangeGeneratesKeys?: boolean;
}

/** The ids of the exchanges in {@link EXCHANGES}. */
export type ExchangeId = 'bybit' | 'binance' | 'okx' | 'coinbase' | 'kucoin' | 'kraken';

const UUID = '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The exchange table, by ccxt id. Frozen all the way down: validation and the scanner trust it, so
 * no caller may widen a shape at run time.
 */
export const EXCHANGES: Readonly<Record<ExchangeId, ExchangeFacts>> = deepFreeze({
  bybit: {
    id: 'bybit',
    name: 'Bybit',
    needsPassphrase: false,
    key: { charset: 'alphanumeric', minLength: 18, maxLength: 24 },
    secret: { charset: 'alphanumeric', minLength: 36, maxLength: 48 },
    pemKeyTypes: ['rsa'],
    apiManagementPage: 'https://www.bybit.com/app/user/api-management',
  },
  binance: {
    id: 'binance',
    name: 'Binance',
    needsPassphrase: false,
    key: { charset: 'alphanumeric', minLength: 64, maxLength: 64 },
    secret: { charset: 'alphanumeric', minLength: 64, maxLength: 64 },
    pemKeyTypes: ['ed25519', 'rsa'],
    apiManagementPage: 'https://www.binance.com/en/my/settings/api-management',
  },
  okx: {
    id: 'okx',
    name: 'OKX',
    needsPassphrase: true,
    key: { charset: 'hex', minLength: 36, maxLength: 36, groups: [8, 4, 4, 4, 12] },
    secret: { charset: 'hex', minLength: 32, maxLength: 32 },
    passphrase: { charset: 'any', minLength: 8, maxLength: 32 },
    pemKeyTypes: [],
    apiManagementPage: 'https://www.okx.com/account/my-api',
  },
  // CDP keys: https://docs.cdp.coinbase.com/get-started/authentication/cdp-api-keys. An ECDSA key
  // is named organizations/{org_uuid}/apiKeys/{key_uuid} and its secret is a PEM EC P-256 key; an
  // Ed25519 key (the default since February 2025) is a bare key id (a UUID) and its secret is 64
  // raw bytes in base64 (seed then public key), which ccxt 4.5.84 signs with EdDSA.
  coinbase: {
    id: 'coinbase',
    name: 'Coinbase',
    needsPassphrase: false,
    key: {
      charset: 'hex',
      minLength: 36,
      maxLength: 95,
      pattern: {
        source: `(?:organizations/${UUID}/apiKeys/)?${UUID}`,
        words:
          'a key name organizations/{org_uuid}/apiKeys/{key_uuid}, or an Ed25519 key id (a UUID)',
        token: { charset: 'hex', minLength: 36, maxLength: 36, groups: [8, 4, 4, 4, 12] },
      },
    },
    secret: { charset: 'base64', minLength: 88, maxLength: 88 },
    pemKeyTypes: ['ec-p256'],
    apiManagementPage: 'https://portal.cdp.coinbase.com/projects/api-keys',
    exchangeGeneratesKeys: true,
  },
  kucoin: {
    id: 'kucoin',
    name: 'KuCoin',
    needsPassphrase: true,
    // A 24-hex key (e.g. 6705f5c311545b000157d3eb) and a UUID secret; the passphrase is the user's.
    key: { charset: 'hex', minLength: 24, maxLength: 24 },
    secret: { charset: 'hex', minLength: 36, maxLength: 36, groups: [8, 4, 4, 4, 12] },
    passphrase: { charset: 'any', minLength: 7, maxLength: 32 },
    pemKeyTypes: [],
    apiManagementPage: 'https://www.kucoin.com/account/api',
  },
  kraken: {
    id: 'kraken',
    name: 'Kraken',
    needsPassphrase: false,
    // The key is 56 base64 characters; the private key (secret) is base64 of 64 bytes: 88 characters.
    key: { charset: 'base64', minLength: 56, maxLength: 56 },
    secret: { charset: 'base64', minLength: 88, maxLength: 88 },
    pemKeyTypes: [],
    apiManagementPage: 'https://pro.kraken.com/app/settings/api',
  },
});

/**
 * ccxt exchanges without a row in {@link EXCHANGES} whose keys also need a passphrase, so that
 * `exkeys set bitget` still asks for one.
 */
export const OTHER_PASSPHRASE_EXCHANGES: ReadonlySet<string> = new Set(['kucoinfutures', 'bitget']);

/** The row for `exchange` (case-insensitive), or `undefined` for an exchange not in the table. */
export function exchangeFacts(exchange: string): ExchangeFacts | undefined {
  const id = exchange.toLowerCase();
  return Object.hasOwn(EXCHANGES, id) ? EXCHANGES[id as ExchangeId] : undefined;
}

const CLASS: Readonly<Record<ShapeCharset, string>> = {
  alphanumeric: 'A-Za-z0-9',
  hex: '0-9A-Fa-f',
  base64: 'A-Za-z0-9+/',
  any: '\\s\\S',
};

function repeat(charset: ShapeCharset, min: number, max: number): string {
  return `[${CLASS[charset]}]{${min === max ? min : `${min},${max}`}}`;
}

/**
 * The regular-expression source of `shape`, without anchors or flags, e.g. `[A-Za-z0-9]{18,24}`.
 * Anchor it to check a whole value, or wrap it in token boundaries to search text.
 */
export function shapeSource(shape: ValueShape): string {
  if (shape.pattern !== undefined) return shape.pattern.source;
  if (shape.charset === 'base64') {
    // The length counts the `=` padding, which only ends the value: 64 bytes are 86 characters and `==`.
    const c = CLASS.base64;
    const body = `[${c}]{${shape.minLength - 2 === shape.maxLength - 2 ? shape.minLength - 2 : `${shape.minLength - 2},${shape.maxLength - 2}`}}`;
    return `${body}(?:[${c}]{2}|[${c}]=|==)`;
  }
  if (shape.groups !== undefined) {
    return shape.groups.map((length) => repeat(shape.charset, length, length)).join('-');
  }
  return repeat(shape.charset, shape.minLength, shape.maxLength);
}

/** True when the whole of `value` has `shape`. */
export function matchesShape(shape: ValueShape, value: string): boolean {
  return new RegExp(`^(?:${shapeSource(shape)})$`).test(value);
}

const CHARSET_WORDS: Readonly<Record<ShapeCharset, string>> = {
  alphanumeric: 'letters and digits',
  hex: 'hexadecimal characters',
  base64: 'base64 characters',
  any: 'characters',
};

/** `shape` in words for messages, e.g. `18 to 24 letters and digits`. */
export function describeShape(shape: ValueShape): string {
  if (shape.pattern !== undefined) return shape.pattern.words;
  if (shape.groups !== undefined) {
    return `${CHARSET_WORDS[shape.charset]} in groups of ${shape.groups.join('-')} (a UUID such as 1a2b3c4d-…)`;
  }
  const length =
    shape.minLength === shape.maxLength
      ? `${shape.minLength}`
      : `${shape.minLength} to ${shape.maxLength}`;
  return `${length} ${CHARSET_WORDS[shape.charset]}`;
}

const PEM_NAMES: Readonly<Record<PemKeyType, string>> = {
  ed25519: 'Ed25519',
  rsa: 'RSA',
  'ec-p256': 'EC P-256',
};

/** The key types in words, e.g. `Ed25519 or RSA`; `''` for none. */
export function describePemKeyTypes(types: readonly PemKeyType[]): string {
  return types.map((type) => PEM_NAMES[type]).join(' or ');
}
