import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadApiKeys } from '../load.js';
import { getCredentials } from '../retrieve.js';
import { secretFilesStore } from './secret-files-store.js';

// systemd delivers `LoadCredential=`/`LoadCredentialEncrypted=` credentials as files named after
// the credential, mode 0400, in the directory named by $CREDENTIALS_DIRECTORY.
const KEY = 'CANARYsystemdKEY01';
const SECRET = 'CANARYSECRETsystemd0Zq8Wm3Kx7Tn2Lp5R';
let dir = '';
const saved = process.env.CREDENTIALS_DIRECTORY;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-credentials-directory-'));
  for (const [name, value] of [
    ['BYBIT_API_KEY', KEY],
    ['BYBIT_API_SECRET', SECRET],
  ] as const) {
    await writeFile(join(dir, name), value);
    await chmod(join(dir, name), 0o400);
  }
});
afterEach(async () => {
  if (saved === undefined) delete process.env.CREDENTIALS_DIRECTORY;
  else process.env.CREDENTIALS_DIRECTORY = saved;
  await rm(dir, { recursive: true, force: true });
});

describe('secretFilesStore() under systemd', () => {
  it('reads $CREDENTIALS_DIRECTORY when it is set, and the keys validate from it', async () => {
    process.env.CREDENTIALS_DIRECTORY = dir;
    const store = secretFilesStore();
    expect(store.location).toBe(dir);
    expect([...(await store.readAll()).keys()]).toEqual(['BYBIT_API_KEY', 'BYBIT_API_SECRET']);
    const env: Record<string, string | undefined> = {};
    await loadApiKeys({ stores: [secretFilesStore()], target: env });
    const creds = getCredentials('bybit', { env });
    expect(creds.apiKey).toBe(KEY);
    expect(creds.apiSecret).toBe(SECRET);
  });

  it('falls back to /run/secrets when $CREDENTIALS_DIRECTORY is unset or empty, and an explicit dir wins', () => {
    delete process.env.CREDENTIALS_DIRECTORY;
    expect(secretFilesStore().location).toBe('/run/secrets');
    process.env.CREDENTIALS_DIRECTORY = '';
    expect(secretFilesStore().location).toBe('/run/secrets');
    process.env.CREDENTIALS_DIRECTORY = dir;
    expect(secretFilesStore('/elsewhere').location).toBe('/elsewhere');
  });
});
