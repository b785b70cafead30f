import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateCredentials } from './validate.js';

const BYBIT_KEY = 'AbCdEf0123456789Gh';
const BYBIT_SECRET = 'CANARYsecret0123456789abcdefghijklmn';
const OKX_KEY = '1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f';
const OKX_SECRET = 'CAFE0123456789ABCDEF0123456789AB';
// A real Ed25519 PKCS#8 key: any 32 bytes are a valid seed, so the base64 body can carry a canary.
const PEM =
  '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEICANARYpemCANARYpemCANARYpemCANARYpem0123456\n-----END PRIVATE KEY-----';

function codes(result: ReturnType<typeof validateCredentials>) {
  return result.errors.map((issue) => `${issue.variable}:${issue.code}`);
}

describe('validateCredentials', () => {
  it('accepts well-formed credentials with no warnings', () => {
    const env = { BYBIT_API_KEY: BYBIT_KEY, BYBIT_API_SECRET: BYBIT_SECRET };
    const result = validateCredentials('ByBit', { env });
    expect(result).toEqual({
      exchange: 'bybit',
      profile: 'default',
      valid: true,
      keySet: true,
      secretSet: true,
      passphraseRequired: false,
      passphraseSet: false,
      errors: [],
      warnings: [],
    });
  });

  it('reports each missing value by variable name', () => {
    const result = validateCredentials('bybit', { env: {} });
    expect(result.valid).toBe(false);
    expect(codes(result)).toEqual(['BYBIT_API_KEY:missing', 'BYBIT_API_SECRET:missing']);
    expect(result.errors[0]?.message).toMatch(/exkeys set bybit/);
  });

  it('uses profile variable names', () => {
    const env = { BYBIT_GRID_API_KEY: BYBIT_KEY, BYBIT_GRID_API_SECRET: BYBIT_SECRET };
    expect(validateCredentials('bybit', { env, profile: 'grid' }).valid).toBe(true);
    expect(validateCredentials('bybit', { env }).valid).toBe(false);
    expect(codes(validateCredentials('bybit', { env: {}, profile: 'grid' }))).toContain(
      'BYBIT_GRID_API_KEY:missing',
    );
  });

  it.each([
    [' leading', 'whitespace'],
    ['trailing ', 'whitespace'],
    ['line\nbreak', 'control-character'],
    ['tab\there', 'control-character'],
    ['nul\u0000x', 'control-character'],
    ['your_bybit_api_key_here', 'placeholder'],
    ['changeme', 'placeholder'],
    ['CHANGE_ME', 'placeholder'],
    ['xxx', 'placeholder'],
    ['XXXXXXXX', 'placeholder'],
    ['<your key>', 'placeholder'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder, not a template
    ['${BYBIT_KEY}', 'placeholder'],
  ])('flags %j in the secret as %s', (value, code) => {
    const result = validateCredentials('bybit', {
      env: { BYBIT_API_KEY: BYBIT_KEY, BYBIT_API_SECRET: value },
    });
    expect(result.valid).toBe(false);
    expect(codes(result)).toEqual([`BYBIT_API_SECRET:${code}`]);
  });

  it('allows the line breaks of a PEM secret, but not other control characters in it', () => {
    const ok = validateCredentials('binance', {
      env: { BINANCE_API_KEY: 'k'.repeat(64), BINANCE_API_SECRET: PEM },
    });
    expect(ok.valid).toBe(true);
    expect(ok.warnings).toEqual([]);
    const crlf = validateCredentials('binance', {
      env: { BINANCE_API_KEY: 'k'.repeat(64), BINANCE_API_SECRET: PEM.replace(/\n/g, '\r\n') },
    });
    expect(crlf.valid).toBe(true);
    const tab = validateCredentials('binance', {
      env: { BINANCE_API_KEY: 'k'.repeat(64), BINANCE_API_SECRET: PEM.replace('MC4C', 'MC\t4C') },
    });
    expect(codes(tab)).toEqual(['BINANCE_API_SECRET:control-character']);
    const inKey = validateCredentials('binance', {
      env: { BINANCE_API_KEY: PEM, BINANCE_API_SECRET: 's'.repeat(64) },
    });
    expect(codes(inKey)).toEqual(['BINANCE_API_KEY:control-character']);
  });

  it('requires the OKX passphrase', () => {
    const env = { OKX_API_KEY: OKX_KEY, OKX_API_SECRET: OKX_SECRET };
    const result = validateCredentials('okx', { env });
    expect(result.passphraseRequired).toBe(true);
    expect(result.passphraseSet).toBe(false);
    expect(codes(result)).toEqual(['OKX_API_PASSPHRASE:passphrase-missing']);
    const full = validateCredentials('okx', {
      env: { ...env, OKX_API_PASSPHRASE: 'Canary-Pass-123' },
    });
    expect(full.valid).toBe(true);
    expect(full.warnings).toEqual([]);
  });

  it('requires the KuCoin passphrase and warns about a secret that is not a UUID', () => {
    const env = {
      KUCOIN_API_KEY: '6705f5c311545b000157d3eb',
      KUCOIN_API_SECRET: 'f03a5284-5c39-4aaa-9b20-dea10bdcf8e3',
    };
    const missing = validateCredentials('kucoin', { env });
    expect(missing.passphraseRequired).toBe(true);
    expect(codes(missing)).toEqual(['KUCOIN_API_PASSPHRASE:passphrase-missing']);
    const full = validateCredentials('kucoin', {
      env: { ...env, KUCOIN_API_PASSPHRASE: 'Canary-Pass-123' },
    });
    expect(full.valid).toBe(true);
    expect(full.warnings).toEqual([]);
    const dashless = validateCredentials('kucoin', {
      env: {
        ...env,
        KUCOIN_API_SECRET: 'f03a52845c394aaa9b20dea10bdcf8e3',
        KUCOIN_API_PASSPHRASE: 'Canary-Pass-123',
      },
    });
    expect(dashless.valid).toBe(true);
    expect(dashless.warnings.map((w) => `${w.variable}:${w.code}`)).toEqual([
      'KUCOIN_API_SECRET:unusual-shape',
    ]);
  });

  it('warns about unusual shapes without failing', () => {
    const result = validateCredentials('okx', {
      env: {
        OKX_API_KEY: 'notauuid',
        OKX_API_SECRET: 'short',
        OKX_API_PASSPHRASE: 'Canary-Pass-123',
      },
    });
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => `${w.variable}:${w.code}`)).toEqual([
      'OKX_API_KEY:unusual-shape',
      'OKX_API_SECRET:unusual-shape',
    ]);
  });

  it('never throws, even on a bad exchange or profile', () => {
    expect(validateCredentials('by-bit', { env: {} })).toMatchObject({
      valid: false,
      errors: [{ code: 'invalid-name' }],
    });
    expect(validateCredentials('bybit', { env: {}, profile: 'bad profile!' }).valid).toBe(false);
    expect(validateCredentials(undefined as unknown as string).valid).toBe(false);
  });

  it('reads process.env by default', () => {
    process.env.GEMINI_API_KEY = 'canaryKEYvalue1';
    process.env.GEMINI_API_SECRET = 'canarySECRETvalue1';
    try {
      expect(validateCredentials('gemini').valid).toBe(true);
    } finally {
      delete process.env.GEMINI_API_KEY;
      delete process.env.GEMINI_API_SECRET;
    }
  });

  it('never puts a value in any field or message', () => {
    const canaries = ['CANARYsecretVALUE01 ', ' CANARYkeyVALUE02', 'CANARY\tpass03'];
    const result = validateCredentials('okx', {
      env: {
        OKX_API_KEY: canaries[1],
        OKX_API_SECRET: canaries[0],
        OKX_API_PASSPHRASE: canaries[2],
      },
    });
    expect(result.errors).toHaveLength(3);
    const text = JSON.stringify(result);
    expect(text).not.toMatch(/CANARY/);
    for (const shape of [
      validateCredentials('okx', {
        env: { OKX_API_KEY: 'CANARYshape', OKX_API_SECRET: 'CANARYshape2' },
      }),
    ]) {
      expect(JSON.stringify(shape)).not.toMatch(/CANARY/);
    }
  });
});

describe('identifiers in messages', () => {
  it('never echo a long value pasted as an exchange id or profile', () => {
    const pasted = 'CANARYpastedSECRETabcdefghijklmnopqrstuvwxyz0123456789';
    const asExchange = validateCredentials(pasted, { env: {} });
    const asProfile = validateCredentials('bybit', { env: {}, profile: `${pasted}!` });
    expect(asExchange.valid).toBe(false);
    expect(asProfile.valid).toBe(false);
    const text = JSON.stringify([asExchange, asProfile]);
    expect(text).not.toContain('CANARYp');
    expect(text).toContain('CAN…');
  });
});

describe('PEM secrets', () => {
  const pair = (type: 'ed25519' | 'rsa' | 'ec', bits = 2048) => {
    const { privateKey, publicKey } =
      type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: bits })
        : type === 'ec'
          ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
          : generateKeyPairSync('ed25519');
    return {
      privatePem: (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).trimEnd(),
      publicPem: (publicKey.export({ type: 'spki', format: 'pem' }) as string).trimEnd(),
      privateKey,
    };
  };
  const ed25519 = pair('ed25519');
  const rsa = pair('rsa');
  const check = (exchange: string, secret: string) => {
    const id = exchange.toUpperCase();
    const key = exchange === 'okx' ? '1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f' : 'K'.repeat(64);
    return validateCredentials(exchange, {
      env: {
        [`${id}_API_KEY`]: key,
        [`${id}_API_SECRET`]: secret,
        [`${id}_API_PASSPHRASE`]: 'Canary-Pass-123',
      },
    });
  };
  const secretCodes = (exchange: string, secret: string) =>
    check(exchange, secret).errors.map((issue) => issue.code);

  it('accepts the private key types the exchange table lists (controls for the refusals below)', () => {
    expect(check('binance', ed25519.privatePem)).toMatchObject({ valid: true, warnings: [] });
    expect(check('binance', rsa.privatePem)).toMatchObject({ valid: true, warnings: [] });
    expect(check('bybit', rsa.privatePem)).toMatchObject({ valid: true });
    expect(check('binance', PEM).valid).toBe(true);
    // PKCS#1 (`BEGIN RSA PRIVATE KEY`) is the same key in another wrapping.
    const pkcs1 = (rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string).trimEnd();
    expect(check('bybit', pkcs1).valid).toBe(true);
    // An exchange without a table row accepts any readable private key.
    expect(check('gemini', pair('ec').privatePem).valid).toBe(true);
  });

  it('refuses a key type the exchange does not accept', () => {
    expect(secretCodes('bybit', ed25519.privatePem)).toEqual(['pem-key-type']);
    expect(secretCodes('binance', pair('ec').privatePem)).toEqual(['pem-key-type']);
    expect(check('bybit', ed25519.privatePem).errors[0]?.message).toMatch(
      /type ed25519; Bybit accepts RSA private keys/,
    );
  });

  it('refuses any PEM for an exchange whose secrets are HMAC only (OKX)', () => {
    expect(secretCodes('okx', ed25519.privatePem)).toEqual(['pem-not-accepted']);
    expect(secretCodes('okx', rsa.privatePem)).toEqual(['pem-not-accepted']);
  });

  it('refuses a public key, an encrypted key, a damaged key and a short RSA key', () => {
    expect(secretCodes('binance', ed25519.publicPem)).toEqual(['pem-public-key']);
    const encrypted = (
      ed25519.privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'canary-pass',
      }) as string
    ).trimEnd();
    expect(secretCodes('binance', encrypted)).toEqual(['pem-encrypted']);
    const damaged = ed25519.privatePem.replace(/\n[A-Za-z0-9+/]{8}/, '\nAAAA');
    expect(secretCodes('binance', damaged)).toEqual(['pem-unreadable']);
    expect(secretCodes('binance', 'CANARY-PRIVATE KEY-on-one-line')).toEqual(['pem-unreadable']);
    expect(secretCodes('bybit', pair('rsa', 1024).privatePem)).toEqual(['pem-key-size']);
  });

  it('never echoes the key material', () => {
    const results = [
      check('okx', PEM),
      check('bybit', PEM),
      check('binance', PEM.replace('MC4C', 'MC4D')),
      check('binance', PEM.replace('PRIVATE', 'PUBLIC').replace('PRIVATE', 'PUBLIC')),
    ];
    for (const result of results) expect(result.errors).toHaveLength(1);
    expect(JSON.stringify(results)).not.toMatch(/CANARYpem|MC4C/);
  });
});

describe('validateCredentials: Kraken private keys are base64', () => {
  // Shapes from https://docs.kraken.com/api-reference/account-data/get-api-key-info (a 56-character
  // key) and https://docs.kraken.com/guides/spot-rest-auth (the private key is base64 of 64 bytes).
  const key = 'CANARYk/ey+' + 'Q'.repeat(45);
  const secret = Buffer.from('CANARY-kraken-private-key-'.padEnd(64, 'x')).toString('base64');
  const check = (value: string) =>
    validateCredentials('kraken', { env: { KRAKEN_API_KEY: key, KRAKEN_API_SECRET: value } });

  it('accepts the private key Kraken shows (control)', () => {
    expect(key).toHaveLength(56);
    expect(secret).toHaveLength(88);
    expect(check(secret)).toMatchObject({ valid: true, errors: [], warnings: [] });
  });

  it('refuses a secret that is not valid base64, saying what to paste and never the value', () => {
    for (const bad of [
      `${secret.slice(0, 86)}_-`, // base64url characters
      secret.slice(0, 87), // a character lost while copying
      `${secret.slice(0, 40)}=${secret.slice(41)}`, // padding in the middle
    ]) {
      const result = check(bad);
      expect(result.valid, bad).toBe(false);
      expect(result.errors.map((issue) => issue.code)).toEqual(['not-base64']);
      const message = result.errors[0]?.message ?? '';
      expect(message).toContain('KRAKEN_API_SECRET is not valid base64');
      expect(message).toContain('Paste the private key Kraken showed');
      expect(JSON.stringify(result)).not.toContain(bad.slice(0, 12));
    }
  });

  it('only warns about a valid base64 secret of an unusual length (the API key in the secret variable)', () => {
    const result = check(key);
    expect(result.valid).toBe(true);
    expect(result.warnings.map((issue) => issue.code)).toEqual(['unusual-shape']);
    expect(result.warnings[0]?.message).toContain('88 base64 characters');
  });
});

describe('validateCredentials for Coinbase CDP keys', () => {
  // https://docs.cdp.coinbase.com/get-started/authentication/cdp-api-keys: ECDSA keys are named
  // organizations/{org_uuid}/apiKeys/{key_uuid} with a PEM EC P-256 secret; Ed25519 keys are a key
  // id (UUID) with a base64 secret of 64 raw bytes (seed, then public key).
  const NAME =
    'organizations/0a1b2c3d-0000-4000-8000-00000000c0de/apiKeys/c0ffee00-1111-4111-8111-00000000ca11';
  const KEY_ID = 'c0ffee00-1111-4111-8111-00000000ca11';
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecPem = (ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string).trimEnd();
  const ed = generateKeyPairSync('ed25519');
  const seed = ed.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  const pub = ed.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const raw = Buffer.concat([seed, pub]).toString('base64');
  const check = (key: string, secret: string) =>
    validateCredentials('coinbase', {
      env: { COINBASE_API_KEY: key, COINBASE_API_SECRET: secret },
    });
  const errorCodes = (key: string, secret: string) => check(key, secret).errors.map((i) => i.code);

  it('accepts an ECDSA key name with its PEM EC P-256 key, and an Ed25519 key id with its raw key (controls)', () => {
    expect(check(NAME, ecPem)).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(ecPem.startsWith('-----BEGIN EC PRIVATE KEY-----')).toBe(true);
    const pkcs8 = (ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).trimEnd();
    expect(check(NAME, pkcs8)).toMatchObject({ valid: true, warnings: [] });
    expect(check(KEY_ID, raw)).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(check(NAME, raw)).toMatchObject({ valid: true, warnings: [] });
  });

  it('refuses a PEM secret with the literal \\n escapes of the JSON key file, pointing to --from-file', () => {
    const escaped = `${ecPem.replaceAll('\n', '\\n')}\\n`;
    expect(errorCodes(NAME, escaped)).toEqual(['pem-escaped-newlines']);
    const message = check(NAME, escaped).errors[0]?.message ?? '';
    expect(message).toContain('exkeys set coinbase --from-file cdp_api_key.json');
    expect(message).not.toContain(ecPem.split('\n')[1]?.slice(0, 12));
    // Another exchange gets the generic advice, not Coinbase's key file.
    expect(
      validateCredentials('binance', {
        env: { BINANCE_API_KEY: 'a'.repeat(64), BINANCE_API_SECRET: escaped },
      }).errors.map((i) => i.code),
    ).toEqual(['pem-escaped-newlines']);
  });

  it('refuses private keys that are not EC P-256, and raw secrets that are not a key pair', () => {
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
    const secp256k1 = (k1.export({ type: 'sec1', format: 'pem' }) as string).trimEnd();
    expect(errorCodes(NAME, secp256k1)).toEqual(['pem-key-type']);
    expect(check(NAME, secp256k1).errors[0]?.message).toMatch(
      /type ec \(secp256k1\); Coinbase accepts EC P-256/,
    );
    const edPem = (ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).trimEnd();
    expect(errorCodes(KEY_ID, edPem)).toEqual(['pem-key-type']);
    const otherPub = generateKeyPairSync('ed25519').publicKey.export({
      format: 'der',
      type: 'spki',
    });
    const mismatched = Buffer.concat([seed, otherPub.subarray(-32)]).toString('base64');
    expect(errorCodes(KEY_ID, mismatched)).toEqual(['ed25519-secret-unreadable']);
    // A truncated raw secret is only an unusual shape (it may be some other format).
    const short = check(KEY_ID, raw.slice(0, 80));
    expect(short.valid).toBe(true);
    expect(short.warnings.map((w) => w.code)).toEqual(['unusual-shape']);
  });

  it('warns about a key that is neither a key name nor a key id', () => {
    const result = check('organizations/abc/apiKeys/def', ecPem);
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => w.variable)).toEqual(['COINBASE_API_KEY']);
    expect(result.warnings[0]?.message).toContain('organizations/{org_uuid}/apiKeys/{key_uuid}');
  });

  it('never echoes the secret', () => {
    const outputs = [
      check(NAME, `${ecPem.replaceAll('\n', '\\n')}`),
      check(KEY_ID, Buffer.concat([seed, seed]).toString('base64')),
      check(KEY_ID, raw.slice(0, 80)),
    ].map((result) => JSON.stringify(result));
    for (const output of outputs) {
      expect(output.length).toBeGreaterThan(50);
      expect(output).not.toContain(seed.toString('base64').slice(0, 16));
      expect(output).not.toContain(ecPem.split('\n')[1]?.slice(0, 16));
    }
  });
});
