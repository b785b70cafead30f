import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dotenvStore, getCredentials, KeyRotationError } from '@exkeys/credentials';
import { rotateKey } from '@exkeys/credentials/exchange';
import { type Sandbox, startSandbox } from '@exkeys/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { bybitKeyManager, verifyBybitKey } from './index.js';

// Request and response shapes: https://bybit-exchange.github.io/docs/v5/user/create-subuid-apikey,
// https://bybit-exchange.github.io/docs/v5/user/list-sub-apikeys, …/rm-sub-apikey.
const SUB = '100400345';
const ADMIN = { key: 'CANARYadminKEY0001', secret: 'CANARYadminSECRETbybit0000000000000' };
const BOT = { key: 'CANARYbotKEY000001', secret: 'CANARYbotSECRETbybit000000000000000' };

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function setup(bot: { ips?: string[]; native?: Record<string, string[]> } = {}) {
  sandbox = await startSandbox({
    keys: [
      {
        exchange: 'bybit',
        apiKey: ADMIN.key,
        apiSecret: ADMIN.secret,
        nativePermissions: { Wallet: ['AccountTransfer', 'SubMemberTransfer'] },
        ips: ['127.0.0.1'],
      },
      {
        exchange: 'bybit',
        apiKey: BOT.key,
        apiSecret: BOT.secret,
        subAccount: SUB,
        nativePermissions: bot.native ?? {
          Spot: ['SpotTrade'],
          ContractTrade: ['Order', 'Position'],
          Wallet: ['AccountTransfer'],
        },
        ips: bot.ips ?? ['127.0.0.1', '10.0.0.7'],
      },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'exkeys-rotate-'));
  const envFile = join(dir, '.env');
  const store = dotenvStore(envFile);
  await store.write({
    BYBIT_API_KEY: BOT.key,
    BYBIT_API_SECRET: BOT.secret,
    BYBIT_ADMIN_API_KEY: ADMIN.key,
    BYBIT_ADMIN_API_SECRET: ADMIN.secret,
  });
  const stateDir = join(dir, 'state');
  return { envFile, store, stateDir, baseUrl: sandbox.url, dir };
}

const subKeys = () => (sandbox?.keys() ?? []).filter((k) => k.subAccount === SUB);

describe('rotateKey with bybitKeyManager', () => {
  it('replaces the key with one of the same permissions and IP list, minus fund-moving ones', async () => {
    const { envFile, store, stateDir, baseUrl } = await setup();
    const steps: string[] = [];
    const result = await rotateKey({
      manager: bybitKeyManager,
      envFile,
      graceSeconds: 0,
      stateDir,
      clientOptions: { baseUrl },
      onStep: (event) => steps.push(`${event.step}:${event.status}:${event.message}`),
    });
    expect(result.outcome).toBe('rotated');
    expect(result.dropped).toEqual(['Wallet.AccountTransfer']);

    const env = Object.fromEntries(await store.readAll());
    expect(env.BYBIT_API_KEY).toBeDefined();
    expect(env.BYBIT_API_KEY).not.toBe(BOT.key);
    expect(env.BYBIT_ADMIN_API_KEY).toBe(ADMIN.key);
    const [only, ...more] = subKeys();
    expect(more).toEqual([]);
    expect(only?.apiKey).toBe(env.BYBIT_API_KEY);
    expect(only?.ips).toEqual(['127.0.0.1', '10.0.0.7']);
    expect(only?.nativePermissions).toEqual({
      Spot: ['SpotTrade'],
      ContractTrade: ['Order', 'Position'],
    });
    expect(only?.label).toMatch(/^exkeys-default-[0-9a-f]{8}$/);

    // The new key works; the old one is refused as unknown.
    const report = await verifyBybitKey(getCredentials('bybit', { env }), { baseUrl });
    expect(report.ipRestricted).toBe(true);
    const old = getCredentials('bybit', {
      env: { BYBIT_API_KEY: BOT.key, BYBIT_API_SECRET: BOT.secret },
    });
    await expect(verifyBybitKey(old, { baseUrl })).rejects.toMatchObject({ reason: 'invalid-key' });

    // Nothing left in the journal directory, and no secret in any event.
    expect(await readdir(join(stateDir, 'rotations'))).toEqual([]);
    expect(steps.length).toBeGreaterThan(8);
    const told = steps.join('\n');
    for (const secret of [
      BOT.secret,
      ADMIN.secret,
      env.BYBIT_API_SECRET ?? 'x',
      BOT.key,
      ADMIN.key,
    ]) {
      expect(told).not.toContain(secret);
    }
  });

  it('refuses a key without an IP whitelist unless allowed, changing nothing', async () => {
    const { envFile, stateDir, baseUrl } = await setup({ ips: [] });
    const before = await readFile(envFile, 'utf8');
    const error = await rotateKey({
      manager: bybitKeyManager,
      envFile,
      graceSeconds: 0,
      stateDir,
      clientOptions: { baseUrl },
    }).catch((e: unknown) => e);
    expect(KeyRotationError.isInstance(error)).toBe(true);
    expect((error as KeyRotationError).reason).toBe('no-ip-whitelist');
    expect(await readFile(envFile, 'utf8')).toBe(before);
    expect(subKeys().map((k) => k.apiKey)).toEqual([BOT.key]);

    // Control: the same key rotates with allowNoIp.
    const result = await rotateKey({
      manager: bybitKeyManager,
      envFile,
      graceSeconds: 0,
      stateDir,
      allowNoIp: true,
      clientOptions: { baseUrl },
    });
    expect(result.outcome).toBe('rotated');
    expect(subKeys()).toHaveLength(1);
    expect(subKeys()[0]?.apiKey).not.toBe(BOT.key);
  });

  it('refuses an admin key without the permission to manage sub keys, changing nothing', async () => {
    const { envFile, store, stateDir, baseUrl } = await setup();
    // An admin profile holding a sub-account key (no master permission) instead.
    await store.write({ BYBIT_ADMIN_API_KEY: BOT.key, BYBIT_ADMIN_API_SECRET: BOT.secret });
    const before = await readFile(envFile, 'utf8');
    const error = await rotateKey({
      manager: bybitKeyManager,
      envFile,
      graceSeconds: 0,
      stateDir,
      clientOptions: { baseUrl },
    }).catch((e: unknown) => e);
    expect((error as KeyRotationError).reason).toBe('admin-refused');
    expect((error as KeyRotationError).exchangeCode).toBe('10005');
    expect(await readFile(envFile, 'utf8')).toBe(before);
    expect(subKeys().map((k) => k.apiKey)).toEqual([BOT.key]);
  });

  it('plans without changing anything on a dry run', async () => {
    const { envFile, stateDir, baseUrl } = await setup();
    const before = await readFile(envFile, 'utf8');
    const result = await rotateKey({
      manager: bybitKeyManager,
      envFile,
      dryRun: true,
      stateDir,
      clientOptions: { baseUrl },
    });
    expect(result.outcome).toBe('planned');
    expect(result.plan?.join('\n')).toContain('POST /v5/user/create-sub-api');
    expect(await readFile(envFile, 'utf8')).toBe(before);
    expect(subKeys().map((k) => k.apiKey)).toEqual([BOT.key]);
  });
});
