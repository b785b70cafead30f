import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CredentialsError, ExkeysError } from './errors.js';
import { getApiKey, getApiPassphrase, getApiSecret, getCredentials } from './retrieve.js';
import {
  assertCredentialsFor,
  isValidatedCredentials,
  type ValidatedCredentials,
} from './validated-credentials.js';

const KEY = 'CANKEYabcdefghijkl';
const SECRET = 'CANARYSECRETzzzz0123456789abcdefghij';
const PASS = 'CANARYPASSphrase9';
const env = {
  BYBIT_API_KEY: KEY,
  BYBIT_API_SECRET: SECRET,
  OKX_API_KEY: '1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f',
  OKX_API_SECRET: 'CANARY0123456789ABCDEF0123456789',
  OKX_API_PASSPHRASE: PASS,
};

/** What `console.log` prints for `values`, captured through a Console on a memory stream. */
function logged(...values: unknown[]): string {
  let out = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  new Console({ stdout: stream, stderr: stream }).log(...values);
  return out;
}

describe('getters', () => {
  it('return the raw value, or an empty string when unset', () => {
    expect(getApiKey('bybit', { env })).toBe(KEY);
    expect(getApiSecret('BYBIT', { env })).toBe(SECRET);
    expect(getApiPassphrase('okx', { env })).toBe(PASS);
    expect(getApiPassphrase('bybit', { env })).toBe('');
    expect(getApiKey('binance', { env })).toBe('');
    expect(getApiKey('bybit', { env, profile: 'grid' })).toBe('');
  });
});

describe('getCredentials', () => {
  it('returns readable, validated fields', () => {
    const creds = getCredentials('bybit', { env });
    expect(creds.exchange).toBe('bybit');
    expect(creds.profile).toBe('default');
    expect(creds.apiKey).toBe(KEY);
    expect(creds.apiSecret).toBe(SECRET);
    expect(creds.passphrase).toBeUndefined();
    expect(isValidatedCredentials(creds)).toBe(true);
    expect(getCredentials('okx', { env }).passphrase).toBe(PASS);
  });

  it('throws a CredentialsError listing every problem by variable name', () => {
    let caught: unknown;
    try {
      getCredentials('okx', { env: { OKX_API_KEY: ' CANARYspace', OKX_API_SECRET: '' } });
    } catch (error) {
      caught = error;
    }
    expect(CredentialsError.isInstance(caught)).toBe(true);
    expect(ExkeysError.isInstance(caught)).toBe(true);
    const error = caught as CredentialsError;
    expect(error.code).toBe('invalid-credentials');
    expect(error.issues.map((issue) => issue.variable)).toEqual([
      'OKX_API_KEY',
      'OKX_API_SECRET',
      'OKX_API_PASSPHRASE',
    ]);
    expect(error.message).toContain('OKX_API_PASSPHRASE');
    expect(`${error.message}${error.stack}${inspect(error)}`).not.toContain('CANARY');
  });

  it('never prints the secret or passphrase, and at most 6 characters of the key', () => {
    const creds = getCredentials('okx', { env });
    const forms = [
      inspect(creds),
      inspect({ nested: { creds } }, { depth: 10 }),
      JSON.stringify(creds),
      JSON.stringify({ creds }),
      String(creds),
      `${creds}`,
      // biome-ignore lint/style/useTemplate: the + operator goes through Symbol.toPrimitive
      `${creds}` + creds,
      inspect(new Error('wrapped', { cause: creds })),
      inspect(Object.assign({}, creds)),
      inspect({ ...creds }),
      Object.keys(creds).join(','),
      inspect(creds, { showHidden: true, depth: null, getters: true }),
      inspect(creds, { customInspect: false, showHidden: true }),
      format('%o %O %j %s %d', creds, creds, creds, creds, creds),
      format('%s', { creds }),
      logged(creds, { creds }, [creds]),
      JSON.stringify(structuredClone(creds)),
      inspect(structuredClone(creds)),
      JSON.stringify(Object.entries(creds)),
      JSON.stringify(Object.values(creds)),
      JSON.stringify(Object.getOwnPropertyDescriptors(creds)),
      inspect(new Error('wrapped', { cause: { creds } }), { depth: null }),
      JSON.stringify(new Error('x', { cause: creds }), ['message', 'cause']),
    ];
    const key = creds.apiKey;
    for (const form of forms) {
      expect(form).not.toContain(PASS);
      expect(form).not.toContain('CANARY');
      expect(form).not.toContain(key.slice(0, 7));
    }
    expect(JSON.stringify(creds)).toContain(key.slice(0, 6));
    expect(inspect(creds)).toContain('okx/default');
  });

  it('is the only producer of ValidatedCredentials (type level)', () => {
    const creds = getCredentials('bybit', { env });
    expectTypeOf(creds).toEqualTypeOf<ValidatedCredentials<'bybit'>>();
    expectTypeOf(getCredentials('OKX', { env })).toEqualTypeOf<ValidatedCredentials<'okx'>>();
    const takesBybit = (c: ValidatedCredentials<'bybit'>) => c.apiKey;
    takesBybit(creds);
    // @ts-expect-error: a plain object is not validated
    takesBybit({ exchange: 'bybit', profile: 'default', apiKey: KEY, apiSecret: SECRET });
    // @ts-expect-error: credentials of another exchange
    takesBybit(getCredentials('okx', { env }));
    expect(() => takesBybit(creds)).not.toThrow();
  });

  it('guards exchange packages at run time', () => {
    const creds = getCredentials('bybit', { env });
    expect(() => assertCredentialsFor(creds, 'bybit')).not.toThrow();
    expect(() => assertCredentialsFor(creds, 'okx')).toThrowError(/for bybit, not okx/);
    const fake = { exchange: 'bybit', profile: 'default', apiKey: KEY, apiSecret: SECRET };
    let caught: unknown;
    try {
      assertCredentialsFor(fake, 'bybit');
    } catch (error) {
      caught = error;
    }
    expect(CredentialsError.isInstance(caught) && caught.code).toBe('not-validated');
    expect(String((caught as Error).message)).not.toContain('CANARY');
  });

  it('freezes the credentials', () => {
    const creds = getCredentials('bybit', { env }) as unknown as Record<string, unknown>;
    expect(() => {
      creds.exchange = 'okx';
    }).toThrow(TypeError);
  });
});

describe('ValidatedCredentials against every inspect option', () => {
  // Every printable ASCII character, so escaped forms (\\", \\\\, %xx) are covered too.
  const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
  const passphrase = `CANARYpass${ascii.replace(/\s/g, '')}`;
  const okxEnv = { ...env, OKX_API_PASSPHRASE: passphrase };

  it('shows no secret with customInspect off, hidden properties, getters and prototypes', () => {
    const creds = getCredentials('okx', { env: okxEnv });
    const options = [
      { customInspect: false, showHidden: true, getters: true },
      { customInspect: false, showHidden: true, getters: true, depth: null, showProxy: true },
      { customInspect: false, getters: true },
      { showHidden: true, getters: 'get' as const, showProxy: true },
    ];
    const forms = options.flatMap((o) => [
      inspect(creds, o),
      inspect(Object.getPrototypeOf(creds), o),
      inspect({ creds }, o),
    ]);
    forms.push(
      JSON.stringify(Object.getOwnPropertyNames(Object.getPrototypeOf(creds))),
      JSON.stringify(Reflect.ownKeys(Object.getPrototypeOf(creds)).map(String)),
    );
    for (const form of forms) {
      expect(form).not.toContain('CANARY');
      expect(form).not.toContain(JSON.stringify(passphrase).slice(1, -1));
    }
    // Control: the fields are still readable in code, and the name still prints.
    expect(creds.passphrase).toBe(passphrase);
    expect(creds.apiSecret).toBe(env.OKX_API_SECRET);
    expect('apiSecret' in creds).toBe(true);
    expect(inspect(creds, options[0])).toContain('ValidatedCredentials');
    expect(inspect(creds, options[0])).toContain("exchange: 'okx'");
  });

  it('cannot be re-pointed at another prototype or given a field', () => {
    const creds = getCredentials('okx', { env: okxEnv }) as unknown as Record<string, unknown>;
    expect(() => Object.setPrototypeOf(creds, {})).toThrow(TypeError);
    expect(() => {
      creds.apiSecret = 'x';
    }).toThrow(TypeError);
    expect(creds.apiSecret).toBe(env.OKX_API_SECRET);
  });
});

describe('getCredentials and admin profiles', () => {
  const admin = { BYBIT_ADMIN_API_KEY: KEY, BYBIT_ADMIN_API_SECRET: SECRET, ...env };

  it('refuses an admin profile unless asked for as admin, naming what to do', () => {
    for (const profile of ['ADMIN', 'admin', 'ADMIN2']) {
      const vars = {
        [`BYBIT_${profile.toUpperCase()}_API_KEY`]: KEY,
        [`BYBIT_${profile.toUpperCase()}_API_SECRET`]: SECRET,
      };
      const error = (() => {
        try {
          getCredentials('bybit', { profile, env: vars });
        } catch (e) {
          return e;
        }
      })();
      expect(CredentialsError.isInstance(error)).toBe(true);
      expect((error as CredentialsError).code).toBe('admin-profile');
      expect((error as Error).message).toContain('a bot never loads it');
      expect((error as Error).message).not.toContain(SECRET.slice(0, 8));
      // Control: asked for as admin, the same variables are handed out.
      expect(getCredentials('bybit', { profile, env: vars, admin: true }).apiKey).toBe(KEY);
    }
  });

  it('refuses admin: true for a bot profile', () => {
    expect(() => getCredentials('bybit', { env: admin, admin: true })).toThrow(/not one/);
    expect(getCredentials('bybit', { env: admin }).apiKey).toBe(KEY);
  });
});
