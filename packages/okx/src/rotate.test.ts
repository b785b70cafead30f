import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dotenvStore, getCredentials, KeyRotationError } from '@exkeys/credentials';
import { rotateKey } from '@exkeys/credentials/exchange';
import { type Sandbox, startSandbox } from '@exkeys/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { okxKeyManager, verifyOkxKey } from './index.js';

// Shapes: https://www.okx.com/docs-v5/en/#sub-account-rest-api-create-an-api-key-for-a-sub-account
// and the query, delete and sub-account list sections next to it.
const SUB = 'gridbot01';
const ADMIN = {
  key: 'ca0a0001-0000-4000-8000-00000000ad01',
  secret: 'CA0A0001ADMIN0000000000000000000',
  passphrase: 'CanaryAdmin-1',
};
const BOT = {
  key: 'ca0b0001-0000-4000-8000-00000000b001',
  secret: 'CA0B0001BOT000000000000000000000',
  passphrase: 'CanaryBot-1',
};

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function setup(admin: { perm?: string; ips?: string[] } = {}) {
  sandbox = await startSandbox({
    keys: [
      {
        exchange: 'okx',
        apiKey: ADMIN.key,
        apiSecret: ADMIN.secret,
        passphrase: ADMIN.passphrase,
        nativePermissions: admin.perm ?? 'read_only,trade',
        ips: admin.ips ?? ['127.0.0.1'],
      },
      {
        exchange: 'okx',
        apiKey: BOT.key,
        apiSecret: BOT.secret,
        passphrase: BOT.passphrase,
        subAccount: SUB,
        nativePermissions: 'read_only,trade,withdraw',
        ips: ['127.0.0.1', '192.0.2.10'],
      },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'exkeys-rotate-okx-'));
  const envFile = join(dir, '.env');
  const store = dotenvStore(envFile);
  await store.write({
    OKX_API_KEY: BOT.key,
    OKX_API_SECRET: BOT.secret,
    OKX_API_PASSPHRASE: BOT.passphrase,
    OKX_ADMIN_API_KEY: ADMIN.key,
    OKX_ADMIN_API_SECRET: ADMIN.secret,
    OKX_ADMIN_API_PASSPHRASE: ADMIN.passphrase,
  });
  return { envFile, store, stateDir: join(dir, 'state'), baseUrl: sandbox.url };
}

const subKeys = () => (sandbox?.keys() ?? []).filter((k) => k.subAccount === SUB);

describe('rotateKey with okxKeyManager', () => {
  it('replaces the key with the same perm and IP list, without withdraw, and a new passphrase', async () => {
    const { envFile, store, stateDir, baseUrl } = await setup();
    const result = await rotateKey({
      manager: okxKeyManager,
      envFile,
      graceSeconds: 0,
      stateDir,
      clientOptions: { baseUrl },
    });
    expect(result.outcome).toBe('rotated');
    expect(result.grants).toEqual(['read_only', 'trade']);
    expect(result.dropped).toEqual(['withdraw']);
    const env = Object.fromEntries(await store.readAll());
    expect(env.OKX_API_KEY).not.toBe(BOT.key);
    expect(env.OKX_API_PASSPHRASE).not.toBe(BOT.passphrase);
    expect(subKeys().map((k) => [k.apiKey, k.ips, k.nativePermissions])).toEqual([
      [env.OKX_API_KEY, ['127.0.0.1', '192.0.2.10'], 'read_only,trade'],
    ]);
    const report = await verifyOkxKey(getCredentials('okx', { env }), { baseUrl });
    expect(report.permissions.withdraw).toBe(false);
    const old = getCredentials('okx', {
      env: { OKX_API_KEY: BOT.key, OKX_API_SECRET: BOT.secret, OKX_API_PASSPHRASE: BOT.passphrase },
    });
    await expect(verifyOkxKey(old, { baseUrl })).rejects.toMatchObject({ reason: 'invalid-key' });
    expect(await readdir(join(stateDir, 'rotations'))).toEqual([]);
  });

  it('refuses an admin key without Trade or without an IP binding, changing nothing', async () => {
    for (const admin of [{ perm: 'read_only' }, { ips: [] }]) {
      const { envFile, stateDir, baseUrl } = await setup(admin);
      const error = await rotateKey({
        manager: okxKeyManager,
        envFile,
        graceSeconds: 0,
        stateDir,
        clientOptions: { baseUrl },
      }).catch((e: unknown) => e);
      expect(KeyRotationError.isInstance(error)).toBe(true);
      expect((error as KeyRotationError).reason).toBe('admin-refused');
      expect(subKeys().map((k) => k.apiKey)).toEqual([BOT.key]);
      await sandbox?.close();
      sandbox = undefined;
    }
  });
});
