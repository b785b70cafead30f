import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listConfiguredExchanges } from './list.js';
import { ageStore } from './stores/age/age-store.js';
import { dotenvStore } from './stores/dotenv/dotenv-store.js';
import { type CredentialStore, readStoreSnapshot } from './stores/store.js';

const ISO = '2025-01-31T12:00:00.000Z';
const ENV = `# exkeys:rotated-at BYBIT_API_KEY ${ISO}\nBYBIT_API_KEY=AbCdEf0123456789Gh\nBYBIT_API_SECRET=CANARYSECRETlist0123\nOKX_GRID_API_KEY=k\n`;
const EXPECTED = [
  {
    exchange: 'bybit',
    profile: 'default',
    keyPreview: 'AbCdEf…',
    bothConfigured: true,
    rotatedAt: ISO,
  },
  { exchange: 'okx', profile: 'GRID', keyPreview: '…', bothConfigured: false, rotatedAt: null },
];

/** `store` with a count of every read method called, and the calls to its underlying file. */
function counted(store: CredentialStore): { store: CredentialStore; calls: string[] } {
  const calls: string[] = [];
  const wrap =
    <T>(name: string, fn: () => Promise<T>) =>
    () => {
      calls.push(name);
      return fn();
    };
  return {
    calls,
    store: {
      ...store,
      readAll: wrap('readAll', () => store.readAll()),
      list: wrap('list', () => store.list()),
      ...(store.snapshot ? { snapshot: wrap('snapshot', () => store.snapshot!()) } : {}),
    },
  };
}

let dir: string;
let envFile: string;
let keystore: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-list-'));
  envFile = join(dir, '.env');
  keystore = join(dir, '.env.age');
  await writeFile(envFile, ENV);
  const store = ageStore({ path: keystore, passphrase: 'list test', scryptWorkFactor: 10 });
  await store.write(
    {
      BYBIT_API_KEY: 'AbCdEf0123456789Gh',
      BYBIT_API_SECRET: 'CANARYSECRETlist0123',
      OKX_GRID_API_KEY: 'k',
    },
    { rotatedAt: { BYBIT_API_KEY: ISO } },
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('listConfiguredExchanges reads the store once', () => {
  it.each([
    ['a .env file', () => dotenvStore(envFile)],
    [
      'an age keystore (one decryption)',
      () => ageStore({ path: keystore, passphrase: 'list test' }),
    ],
  ])('%s: one snapshot(), no readAll() or list()', async (_, make) => {
    const { store, calls } = counted(make());
    const rows = await listConfiguredExchanges({ store });
    expect(rows).toMatchObject(EXPECTED);
    expect(calls).toEqual(['snapshot']);
  });

  it('reads nothing when given a snapshot, and lists the same rows as from the store', async () => {
    const snapshot = await readStoreSnapshot(dotenvStore(envFile));
    const refusing: CredentialStore = {
      ...dotenvStore(envFile),
      readAll: () => Promise.reject(new Error('read')),
      list: () => Promise.reject(new Error('read')),
      snapshot: () => Promise.reject(new Error('read')),
    };
    const rows = await listConfiguredExchanges({ store: refusing, snapshot });
    expect(rows).toEqual(await listConfiguredExchanges({ envFile }));
    expect(rows).toMatchObject(EXPECTED);
    await expect(listConfiguredExchanges({ store: refusing })).rejects.toThrow('read');
  });

  it('falls back to readAll() + list() for a custom store without snapshot()', async () => {
    const { snapshot: _, ...custom } = dotenvStore(envFile);
    const { store, calls } = counted(custom);
    expect(await listConfiguredExchanges({ store })).toMatchObject(EXPECTED);
    expect(calls.sort()).toEqual(['list', 'readAll']);
  });
});
