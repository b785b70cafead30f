// The core functions over each real store (the keychain's run inside D-Bus, in keychain-store.test.ts):
// the three-step pattern is the same whatever holds the keys.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeystoreError } from './errors.js';
import { listConfiguredExchanges } from './list.js';
import { loadApiKeys } from './load.js';
import { getCredentials } from './retrieve.js';
import { ageStore } from './stores/age/age-store.js';
import { dotenvStore } from './stores/dotenv/dotenv-store.js';
import { secretFilesStore } from './stores/secret-files-store.js';
import type { CredentialStore } from './stores/store.js';
import { saveApiKeys, updateApiKey } from './write-credentials.js';

const KEY = 'CANKEYstores012345';
const SECRET = 'CANARYSECRETstores0123456789abcdefgh';
const NEW_SECRET = 'CANARYROTATEDstores0123456789abcdefg';
const PASSPHRASE = 'CANARYpassphraseStores';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-three-steps-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const writable: Array<[string, () => CredentialStore]> = [
  ['dotenvStore', () => dotenvStore(join(dir, '.env'))],
  [
    'ageStore (passphrase)',
    () =>
      ageStore({
        path: join(dir, '.env.age'),
        passphrase: 'test passphrase',
        scryptWorkFactor: 10,
      }),
  ],
];

describe.each(writable)('the core functions over %s', (_name, makeStore) => {
  it('save → list → load → validate → retrieve → rotate, with rotation times', async () => {
    const store = makeStore();
    const before = Date.now();
    await saveApiKeys('bybit', { apiKey: KEY, apiSecret: SECRET }, { store });
    await saveApiKeys(
      'okx',
      {
        apiKey: '1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f',
        apiSecret: 'CAFE0123456789ABCDEF0123456789AB',
        passphrase: PASSPHRASE,
      },
      { store, profile: 'bot2' },
    );

    const rows = await listConfiguredExchanges({ store });
    expect(rows.map((row) => `${row.exchange}/${row.profile}`)).toEqual([
      'bybit/default',
      'okx/BOT2',
    ]);
    expect(rows[0]).toMatchObject({ keyPreview: 'CANKEY…', bothConfigured: true, ageDays: 0 });
    expect(rows[1]).toMatchObject({ passphraseSet: true, bothConfigured: true });
    expect(Date.parse(rows[0]?.rotatedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);

    const env: Record<string, string | undefined> = {};
    const loaded = await loadApiKeys({ stores: [store], target: env });
    expect(loaded).toMatchObject({ loaded: true, path: store.location, skipped: [] });
    expect(getCredentials('bybit', { env }).apiSecret).toBe(SECRET);
    expect(getCredentials('okx', { env, profile: 'bot2' }).passphrase).toBe(PASSPHRASE);

    // Rotation reaches the running process and the store, and keeps the other rows.
    await updateApiKey('bybit', { apiSecret: NEW_SECRET }, { store, env });
    expect(getCredentials('bybit', { env }).apiSecret).toBe(NEW_SECRET);
    expect((await store.readAll()).get('BYBIT_API_SECRET')).toBe(NEW_SECRET);
    expect((await store.readAll()).get('BYBIT_API_KEY')).toBe(KEY);
    const after = await listConfiguredExchanges({ store });
    expect(after[1]?.rotatedAt).toBe(rows[1]?.rotatedAt);
    expect(Date.parse(after[0]?.rotatedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(rows[0]?.rotatedAt ?? ''),
    );
    expect(`${inspect(after)}${JSON.stringify(loaded)}`).not.toContain('CANARY');

    // `''` clears a field in the store and in the environment.
    await updateApiKey('okx', { passphrase: '' }, { store, env, profile: 'bot2' });
    expect((await store.readAll()).has('OKX_BOT2_API_PASSPHRASE')).toBe(false);
    expect(env.OKX_BOT2_API_PASSPHRASE).toBeUndefined();
  });
});

describe('the core functions over secretFilesStore', () => {
  it('load → validate → retrieve and list work; save and rotate are refused read-only', async () => {
    const secrets = join(dir, 'secrets');
    await mkdir(secrets);
    await writeFile(join(secrets, 'BYBIT_API_KEY'), `${KEY}\n`);
    await writeFile(join(secrets, 'BYBIT_API_SECRET'), `${SECRET}\n`);
    const store = secretFilesStore(secrets);
    const env: Record<string, string | undefined> = { BYBIT_API_KEY: 'fromShell0123456789' };
    const loaded = await loadApiKeys({ stores: [store], target: env });
    expect(loaded).toMatchObject({ injected: ['BYBIT_API_SECRET'], skipped: ['BYBIT_API_KEY'] });
    const creds = getCredentials('bybit', { env });
    expect({ apiKey: creds.apiKey, apiSecret: creds.apiSecret }).toEqual({
      apiKey: 'fromShell0123456789',
      apiSecret: SECRET,
    });
    expect(await listConfiguredExchanges({ store })).toEqual([
      expect.objectContaining({
        exchange: 'bybit',
        keyPreview: 'CANKEY…',
        bothConfigured: true,
        rotatedAt: null,
        ageDays: null,
      }),
    ]);
    for (const attempt of [
      saveApiKeys('bybit', { apiKey: KEY, apiSecret: NEW_SECRET }, { store }),
      updateApiKey('bybit', { apiSecret: NEW_SECRET }, { store, env }),
    ]) {
      const error = await attempt.catch((e: unknown) => e);
      expect(KeystoreError.isInstance(error) && error.code).toBe('read-only');
    }
    // A refused rotation does not change the running process either.
    expect(env.BYBIT_API_SECRET).toBe(SECRET);
    expect(await readFile(join(secrets, 'BYBIT_API_SECRET'), 'utf8')).toBe(`${SECRET}\n`);
  });
});

describe('loadApiKeys over several real stores', () => {
  it('takes each variable from the first store that has it, after the shell', async () => {
    const secrets = join(dir, 'secrets');
    await mkdir(secrets);
    await writeFile(join(secrets, 'BYBIT_API_SECRET'), `${SECRET}\n`);
    const keystore = ageStore({
      path: join(dir, '.env.age'),
      passphrase: 'test passphrase',
      scryptWorkFactor: 10,
    });
    await keystore.write({ BYBIT_API_KEY: KEY, BYBIT_API_SECRET: 'CANARYshadowed0123456789' });
    const dotenv = dotenvStore(join(dir, '.env'));
    await dotenv.write({ BYBIT_API_KEY: 'shadowedKey0123456', OTHER: 'from-dotenv' });
    const env: Record<string, string | undefined> = { OTHER: 'shell' };
    const result = await loadApiKeys({
      stores: [secretFilesStore(secrets), keystore, dotenv],
      target: env,
    });
    expect(env).toEqual({ OTHER: 'shell', BYBIT_API_SECRET: SECRET, BYBIT_API_KEY: KEY });
    expect(result.skipped).toEqual(['OTHER']);
    expect(result.path).toBe(`${secrets}, ${join(dir, '.env.age')}, ${join(dir, '.env')}`);
  });
});
