import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ageStore, CredentialsError, saveApiKeys } from '@exkeys/credentials';
import { type Sandbox, startSandbox } from '@exkeys/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBot } from './bot.js';
import { botStore } from './store.js';

const KEY = 'CANKEYstore0000001';
const SECRET = 'CANARYstoreSECRET00000000000000000001';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ keys: [{ exchange: 'bybit', apiKey: KEY, apiSecret: SECRET }] });
  dir = await mkdtemp(join(tmpdir(), 'exkeys-bot-store-'));
});
afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

function quiet() {
  const lines: string[] = [];
  return { lines, log: (line: string) => lines.push(line) };
}

describe('botStore', () => {
  it('defaults to .env and names the accepted values for an unknown EXKEYS_STORE', () => {
    expect(botStore({})).toEqual({ kind: 'env', envFile: '.env' });
    expect(botStore({ EXKEYS_ENV_FILE: 'bot.env' }).envFile).toBe('bot.env');
    expect(() => botStore({ EXKEYS_STORE: 'vault' })).toThrow(
      /one of env, age, secrets, not "vault"/,
    );
  });

  it('runs the bot from Docker secret files, and refuses an empty secrets directory', async () => {
    const secrets = join(dir, 'secrets');
    const empty = join(dir, 'empty');
    await Promise.all([secrets, empty].map((d) => mkdir(d)));
    await writeFile(join(secrets, 'BYBIT_API_KEY'), `${KEY}\n`, { mode: 0o600 });
    await writeFile(join(secrets, 'BYBIT_API_SECRET'), `${SECRET}\n`, { mode: 0o600 });
    const { stores } = botStore({ EXKEYS_STORE: 'secrets', EXKEYS_SECRETS_DIR: secrets });
    const out = quiet();
    const result = await runBot({ exchange: 'bybit', stores, baseUrl: sandbox.url, log: out.log });
    expect(result.keyPreview).toBe('CANKEY…');
    expect(out.lines.join('\n')).not.toContain(SECRET);
    // Control: the same run without the files fails before any trade.
    const none = botStore({ EXKEYS_STORE: 'secrets', EXKEYS_SECRETS_DIR: empty });
    await expect(
      runBot({ exchange: 'bybit', stores: none.stores, baseUrl: sandbox.url, log: quiet().log }),
    ).rejects.toBeInstanceOf(CredentialsError);
  });

  it('runs the bot from an age keystore opened with EXKEYS_PASSPHRASE', async () => {
    const path = join(dir, '.env.age');
    const passphrase = 'store test passphrase';
    await saveApiKeys(
      'bybit',
      { apiKey: KEY, apiSecret: SECRET },
      { store: ageStore({ path, passphrase, scryptWorkFactor: 10 }) },
    );
    const { kind, stores } = botStore({
      EXKEYS_STORE: 'age',
      EXKEYS_KEYSTORE: path,
      EXKEYS_PASSPHRASE: passphrase,
    });
    expect(kind).toBe('age');
    const result = await runBot({
      exchange: 'bybit',
      stores,
      baseUrl: sandbox.url,
      log: quiet().log,
    });
    expect(result.orderId).toBeTruthy();
    // Control: a wrong passphrase opens nothing.
    const wrong = botStore({
      EXKEYS_STORE: 'age',
      EXKEYS_KEYSTORE: path,
      EXKEYS_PASSPHRASE: 'wrong',
    });
    await expect(
      runBot({ exchange: 'bybit', stores: wrong.stores, baseUrl: sandbox.url, log: quiet().log }),
    ).rejects.toThrow();
  });
});
