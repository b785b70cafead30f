// `migrateEnvToKeystore` with deleteEnvFile on a .env that is a symlink or has other hard links, and
// values the age store cannot hold.
import { link, lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialsError } from '../../errors.js';
import { ageStore } from './age-store.js';
import { migrateEnvToKeystore } from './migrate.js';

const CANARY = 'CANARYSECRETmigrate0123456789abcdef';
const PASS = 'test passphrase';
const LOW = 10;
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-migrate-links-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

describe('migrateEnvToKeystore deleteEnvFile', () => {
  it('deletes the file a symlinked .env leads to, and the link', async () => {
    await mkdir(join(dir, 'config'));
    const target = join(dir, 'config', 'bot.env');
    await writeFile(target, `BYBIT_API_SECRET=${CANARY}\n`);
    const env = join(dir, '.env');
    await symlink('config/bot.env', env);
    const keystore = join(dir, '.env.age');
    const result = await migrateEnvToKeystore(
      env,
      { path: keystore, passphrase: PASS, scryptWorkFactor: LOW },
      { deleteEnvFile: true },
    );
    expect(result.deleted).toEqual([target, env]);
    expect(result.otherHardLinks).toBe(0);
    expect(await exists(target)).toBe(false);
    expect(await exists(env)).toBe(false);
    const store = ageStore({ path: keystore, passphrase: PASS, scryptWorkFactor: LOW });
    expect((await store.readAll()).get('BYBIT_API_SECRET')).toBe(CANARY);
  });

  it('reports the other hard links that still hold the plaintext', async () => {
    const env = join(dir, '.env');
    await writeFile(env, `BYBIT_API_SECRET=${CANARY}\n`);
    const other = join(dir, 'backup.env');
    await link(env, other);
    const result = await migrateEnvToKeystore(
      env,
      { path: join(dir, '.env.age'), passphrase: PASS, scryptWorkFactor: LOW },
      { deleteEnvFile: true },
    );
    expect(result.deleted).toEqual([env]);
    expect(result.otherHardLinks).toBe(1);
    expect(result.inode).toBe((await lstat(other)).ino);
    expect(await readFile(other, 'utf8')).toContain(CANARY);
    // Control: a plain file leaves nothing behind.
    const plain = join(dir, 'plain.env');
    await writeFile(plain, 'A=1\n');
    const alone = await migrateEnvToKeystore(
      plain,
      { path: join(dir, 'plain.env.age'), passphrase: PASS, scryptWorkFactor: LOW },
      { deleteEnvFile: true },
    );
    expect([alone.deleted, alone.otherHardLinks]).toEqual([[plain], 0]);
  });

  it('refuses a .env that is not UTF-8, changing nothing', async () => {
    const env = join(dir, '.env');
    await writeFile(env, Buffer.from('DB_PASSWORD=p\xe4ss\n', 'latin1'));
    const keystore = join(dir, '.env.age');
    await expect(
      migrateEnvToKeystore(
        env,
        { path: keystore, passphrase: PASS, scryptWorkFactor: LOW },
        { deleteEnvFile: true },
      ),
    ).rejects.toMatchObject({ code: 'io', message: expect.stringMatching(/not UTF-8/) });
    expect(await exists(env)).toBe(true);
    expect(await exists(keystore)).toBe(false);
  });
});

describe('age store values', () => {
  it('refuses a lone surrogate as unrepresentable-value, not corrupted, and writes nothing', async () => {
    const path = join(dir, '.env.age');
    const store = ageStore({ path, passphrase: PASS, scryptWorkFactor: LOW });
    await store.write({ A: CANARY });
    const before = await readFile(path);
    const error = await store.write({ B: 'x\ud800y' }).catch((e: unknown) => e);
    expect(CredentialsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'unrepresentable-value' });
    expect((error as Error).message).not.toContain(CANARY);
    expect((await readFile(path)).equals(before)).toBe(true);
  });
});
