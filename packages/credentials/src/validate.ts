/**
 * Step 2: static validation. Synchronous, no network, never throws, never echoes a value.
 * @module
 */
import { createRequire } from 'node:module';
import type { CredentialIssue } from './errors.js';
import {
  describePemKeyTypes,
  describeShape,
  exchangeFacts,
  matchesShape,
  type ValueShape,
} from './exchanges.js';
import { needsPassphrase, normalizeExchange, normalizeProfile, variableNames } from './names.js';

/** Where the getters and validation read variables from. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Options shared by the getters, `validateCredentials` and `getCredentials`. */
export interface ReadOptions {
  /**
   * Named profile (`[A-Z0-9]+`, case-insensitive). Omit for the plain `{EXCHANGE}_API_*` names.
   * @default 'default'
   */
  profile?: string;
  /**
   * Where to read the variables: pass the `target` you gave `loadApiKeys` to keep keys out of
   * `process.env`.
   * @default process.env
   */
  env?: EnvSource;
  /**
   * Ask for an admin profile (see `isAdminProfile`): `getCredentials` refuses an admin profile
   * without it, and any other profile with it, so a bot cannot load a key-managing key by accident.
   * @default false
   */
  admin?: boolean;
}

/** The outcome of `validateCredentials`. Holds names and flags only, never a value. */
export interface ValidationResult {
  /** Lowercase exchange id. */
  exchange: string;
  /** Uppercase profile, or `default`. */
  profile: string;
  /** True when there is no error (warnings allowed). */
  valid: boolean;
  /** The key variable has a value. */
  keySet: boolean;
  /** The secret variable has a value. */
  secretSet: boolean;
  /** The exchange needs a passphrase (OKX). */
  passphraseRequired: boolean;
  /** The passphrase variable has a value. */
  passphraseSet: boolean;
  /** Problems that make the credentials unusable. */
  errors: CredentialIssue[];
  /** Unusual but possibly fine, e.g. an unexpected length for that exchange. */
  warnings: CredentialIssue[];
}

type Field = 'key' | 'secret' | 'passphrase';

// Values people leave in templates. Matched against the whole value, case-insensitively.
const PLACEHOLDER =
  /^(?:your[\s_-].*|.*[_-]here|<.*>|\{\{.*\}\}|\$\{.*\}|x{3,}|\*{3,}|\.{3,}|change[\s_-]?me|placeholder|example|dummy|todo|tbd|fixme|none|null|undefined|secret|password|api[\s_-]?(?:key|secret|passphrase)|insert[\s_-].*|replace[\s_-].*|enter[\s_-].*|put[\s_-].*)$/i;
const PEM = /^-----BEGIN [A-Z0-9 ]+-----\r?\n[\s\S]+\r?\n-----END [A-Z0-9 ]+-----$/;

// The package entry must not load node:crypto at import (index.test.ts): only a PEM secret needs it.
let nodeCrypto: typeof import('node:crypto') | undefined;
const crypto = () => {
  nodeCrypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return nodeCrypto;
};

/** The table's shape for `field`, or `undefined` for an exchange not in the table. */
function shapeOf(exchange: string, field: Field): ValueShape | undefined {
  const facts = exchangeFacts(exchange);
  return facts === undefined ? undefined : facts[field];
}

/** How a shape warning describes the usual value: a secret may also be a PEM private key. */
function usualShape(exchange: string, field: Field, shape: ValueShape): string {
  const types = field === 'secret' ? (exchangeFacts(exchange)?.pemKeyTypes ?? []) : [];
  const pem = types.length > 0 ? `, or a PEM private key (${describePemKeyTypes(types)})` : '';
  return `${describeShape(shape)}${pem}`;
}

const LABEL: Record<Field, string> = {
  key: 'API key',
  secret: 'API secret',
  passphrase: 'passphrase',
};

/**
 * Checks an exchange's credentials without any network call: presence, whitespace, control
 * characters (PEM line breaks allowed in the secret), template placeholders, the OKX passphrase, a
 * PEM secret (an unencrypted private key of a type the exchange's table row accepts, RSA at least
 * 2048 bits), and the usual shape for that exchange (warnings). Never throws: a bad exchange id or profile is
 * reported as an error.
 */
export function validateCredentials(exchange: string, options: ReadOptions = {}): ValidationResult {
  const env = options.env ?? process.env;
  let id: string;
  let profile: string;
  let names: ReturnType<typeof variableNames>;
  try {
    id = normalizeExchange(exchange);
    profile = normalizeProfile(options.profile);
    names = variableNames(id, profile);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      exchange: clip(String(exchange)),
      profile: clip(String(options.profile ?? 'default')),
      valid: false,
      keySet: false,
      secretSet: false,
      passphraseRequired: false,
      passphraseSet: false,
      errors: [{ code: 'invalid-name', variable: '', message }],
      warnings: [],
    };
  }
  const passphraseRequired = needsPassphrase(id);
  const errors: CredentialIssue[] = [];
  const warnings: CredentialIssue[] = [];
  const values: Record<Field, string> = {
    key: env[names.key] ?? '',
    secret: env[names.secret] ?? '',
    passphrase: env[names.passphrase] ?? '',
  };
  const fields: Field[] =
    passphraseRequired || values.passphrase ? ['key', 'secret', 'passphrase'] : ['key', 'secret'];
  for (const field of fields) {
    const variable = names[field];
    const value = values[field];
    if (value === '') {
      const why =
        field === 'passphrase'
          ? `${id} keys need the passphrase chosen when the key was created`
          : `no ${LABEL[field]} is set`;
      errors.push({
        code: field === 'passphrase' ? 'passphrase-missing' : 'missing',
        variable,
        message: `${variable} is empty: ${why}. Set it in your .env file or shell (exkeys set ${id}${profile === 'default' ? '' : ` --profile ${profile}`}).`,
      });
      continue;
    }
    const issue =
      checkValue(field, variable, value, id) ??
      (field === 'secret'
        ? (checkPemSecret(variable, value, id) ??
          checkRawEd25519Secret(variable, value, id) ??
          checkBase64Secret(variable, value, id))
        : undefined);
    if (issue) {
      errors.push(issue);
      continue;
    }
    const shape = shapeOf(id, field);
    const pem = field === 'secret' && PEM.test(value);
    if (shape && !pem && !matchesShape(shape, value)) {
      warnings.push({
        code: 'unusual-shape',
        variable,
        message: `${variable} has ${value.length} characters; ${id} ${LABEL[field]}s are usually ${usualShape(id, field, shape)}. Check that you copied the whole value into the right variable.`,
      });
    }
  }
  return {
    exchange: id,
    profile,
    valid: errors.length === 0,
    keySet: values.key !== '',
    secretSet: values.secret !== '',
    passphraseRequired,
    passphraseSet: values.passphrase !== '',
    errors,
    warnings,
  };
}

// A malformed identifier may be a key pasted in the wrong place: never return it whole.
function clip(value: string): string {
  return value.length > 12 ? `${value.slice(0, 3)}…` : value;
}

function checkValue(
  field: Field,
  variable: string,
  value: string,
  exchange: string,
): CredentialIssue | undefined {
  if (value !== value.trim()) {
    return {
      code: 'whitespace',
      variable,
      message: `${variable} starts or ends with whitespace, which the exchange would reject. Remove the spaces or line breaks around the value.`,
    };
  }
  const pem = field === 'secret' && PEM.test(value);
  const controls = pem ? value.replace(/\r?\n/g, '') : value;
  if (/[\u0000-\u001f\u007f]/.test(controls)) {
    return {
      code: 'control-character',
      variable,
      message: `${variable} contains a control character (a tab, line break or similar). Paste the value again as a single line${field === 'secret' ? ' (a PEM private key must keep its BEGIN/END lines)' : ''}.`,
    };
  }
  if (PLACEHOLDER.test(value)) {
    return {
      code: 'placeholder',
      variable,
      message: `${variable} still holds a template placeholder. Create an API key on ${exchange} and put the real value there.`,
    };
  }
  return undefined;
}

/** The table's name for a private key's type: `ec-p256` for an EC key on P-256, `ec (secp256k1)` for another curve. */
function pemKeyTypeOf(key: import('node:crypto').KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  if (type !== 'ec') return type;
  const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown curve';
  return curve === 'prime256v1' ? 'ec-p256' : `ec (${curve})`;
}

// Standard base64 with its padding: whole 4-character groups, `=` only at the end.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * An exchange whose secret is always base64 (the `base64` charset and no PEM key types: Kraken)
 * decodes the secret before signing, so a secret that is not valid base64 can never sign a
 * request: an error, with what to paste instead. The message names the expected length, never
 * the value.
 */
function checkBase64Secret(
  variable: string,
  value: string,
  exchange: string,
): CredentialIssue | undefined {
  const facts = exchangeFacts(exchange);
  if (facts?.secret.charset !== 'base64' || facts.pemKeyTypes.length > 0) return undefined;
  if (BASE64.test(value)) return undefined;
  return {
    code: 'not-base64',
    variable,
    message: `${variable} is not valid base64, and ${facts.name} decodes the secret from base64 to sign requests. Paste the private key ${facts.name} showed when you created the key: ${describeShape(facts.secret)}, usually ending in ==; not the API key, a 2FA code or a re-typed copy.`,
  };
}

/** The smallest RSA modulus Binance and Bybit accept for self-generated keys. */
const MIN_RSA_BITS = 2048;

/**
 * A secret that looks like a PEM block (ccxt switches to asymmetric signing on `PRIVATE KEY`) must
 * be an unencrypted private key of a type the exchange accepts. Unknown exchanges accept any
 * readable private key. Messages name the type, never the content.
 */
function checkPemSecret(
  variable: string,
  value: string,
  exchange: string,
): CredentialIssue | undefined {
  if (!PEM.test(value) && !value.includes('PRIVATE KEY')) return undefined;
  const facts = exchangeFacts(exchange);
  const accepted = facts?.pemKeyTypes;
  const name = facts?.name ?? exchange;
  if (/-----BEGIN [A-Z0-9 ]+-----\\[nr]/.test(value)) {
    // The JSON key file's escaped line breaks, pasted as they are: no PEM reader takes them.
    const fix = facts?.exchangeGeneratesKeys
      ? `Store the key from the downloaded key file instead: \`exkeys set ${exchange} --from-file cdp_api_key.json\`.`
      : `Put real line breaks in place of each \\n (or store it with \`exkeys set ${exchange} --secret-file <file>\`).`;
    return {
      code: 'pem-escaped-newlines',
      variable,
      message: `${variable} holds a PEM private key with literal \\n escapes instead of line breaks (as copied out of a JSON key file), which the exchange client cannot read. ${fix}`,
    };
  }
  if (accepted !== undefined && accepted.length === 0) {
    return {
      code: 'pem-not-accepted',
      variable,
      message: `${variable} holds a PEM key, but ${name} API secrets are always the HMAC secret ${name} shows when you create the key. Paste that secret instead.`,
    };
  }
  if (/-----BEGIN (?:RSA )?PUBLIC KEY-----/.test(value)) {
    return {
      code: 'pem-public-key',
      variable,
      message: `${variable} holds a PUBLIC key. The secret is the PRIVATE key of the pair; the public key is what you paste on the exchange's API page.`,
    };
  }
  if (value.includes('ENCRYPTED PRIVATE KEY') || value.includes('Proc-Type: 4,ENCRYPTED')) {
    return {
      code: 'pem-encrypted',
      variable,
      message: `${variable} holds a passphrase-protected private key, which exchange clients cannot use. Store the unencrypted key (protect it with \`exkeys encrypt\` instead).`,
    };
  }
  let key: import('node:crypto').KeyObject;
  try {
    key = crypto().createPrivateKey({ key: value, format: 'pem' });
  } catch {
    return {
      code: 'pem-unreadable',
      variable,
      message: `${variable} looks like a PEM block but is not a readable private key (damaged BEGIN/END lines or base64 body). Copy the whole private key file again.`,
    };
  }
  const type = pemKeyTypeOf(key);
  if (accepted !== undefined && !(accepted as readonly string[]).includes(type)) {
    return {
      code: 'pem-key-type',
      variable,
      message: `${variable} is a private key of type ${type}; ${name} accepts ${describePemKeyTypes(accepted)} private keys. Generate one with \`exkeys keygen ${exchange}\`.`,
    };
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (type === 'rsa' && (bits === undefined || bits < MIN_RSA_BITS)) {
    return {
      code: 'pem-key-size',
      variable,
      message: `${variable} is a ${bits ?? 'unknown'}-bit RSA key; exchanges accept ${MIN_RSA_BITS} bits or more. Generate one with \`exkeys keygen ${exchange} --type rsa\`.`,
    };
  }
  return undefined;
}

/** Raw Ed25519 secrets: base64 of the 32-byte seed then the 32-byte public key (Coinbase CDP). */
const RAW_ED25519_BYTES = 64;
// PKCS#8 DER of an Ed25519 private key, up to the 32-byte seed (RFC 8410).
const ED25519_PKCS8_PREFIX = '302e020100300506032b657004220420';

/**
 * An exchange whose keys are generated by the exchange (Coinbase) hands out Ed25519 secrets as
 * base64 raw bytes, not PEM. Such a secret must decode to 64 bytes whose second half is the public
 * key of the first: a truncated or mis-copied secret signs with a key the exchange does not know.
 */
function checkRawEd25519Secret(
  variable: string,
  value: string,
  exchange: string,
): CredentialIssue | undefined {
  const facts = exchangeFacts(exchange);
  if (!facts?.exchangeGeneratesKeys || PEM.test(value) || value.includes('PRIVATE KEY')) {
    return undefined;
  }
  if (facts.secret.charset !== 'base64' || !matchesShape(facts.secret, value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  const notRaw = {
    code: 'ed25519-secret-unreadable',
    variable,
    message: `${variable} looks like a base64 Ed25519 secret but does not hold a ${RAW_ED25519_BYTES}-byte key whose second half is its public key. Copy the whole privateKey value of the key again (or use \`exkeys set ${exchange} --from-file <key file>\`).`,
  };
  if (bytes.length !== RAW_ED25519_BYTES || bytes.toString('base64') !== value) return notRaw;
  try {
    const der = Buffer.concat([Buffer.from(ED25519_PKCS8_PREFIX, 'hex'), bytes.subarray(0, 32)]);
    const key = crypto().createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    const spki = crypto().createPublicKey(key).export({ format: 'der', type: 'spki' });
    return spki.subarray(-32).equals(bytes.subarray(32)) ? undefined : notRaw;
  } catch {
    return notRaw;
  }
}
