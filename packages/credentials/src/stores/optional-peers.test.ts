import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForChild, type ChildBuild } from '../__fixtures__/child-build.js';
import type { UnprivilegedRead } from '../__fixtures__/stores/unprivileged.js';
import { ageStore } from './age/age-store.js';

// The optional peers are really absent in these children: their node_modules links every dependency
// of the package except the ones left out, so `import('age-encryption')` fails as in a user's project.
const CHILD = fileURLToPath(
  new URL('../__fixtures__/stores/missing-peer-child.mjs', import.meta.url),
);
const PASSPHRASE = 'CANARYpassphrase-optional-peers-0123';
const SECRET = 'CANARYSECRETpeers0123456789abcdefghij';

/** What the child prints: the same shape as the unprivileged fixture's reads, without the uid. */
type ChildResult = Omit<UnprivilegedRead, 'uid'>;

let dir: string;
let keystore: string;
let envFile: string;
const builds: Record<'all' | 'noAge' | 'noKeyring', ChildBuild | undefined> = {
  all: undefined,
  noAge: undefined,
  noKeyring: undefined,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-peers-'));
  keystore = join(dir, '.env.age');
  envFile = join(dir, '.env');
  await ageStore({ path: keystore, passphrase: PASSPHRASE, scryptWorkFactor: 10 }).write({
    BYBIT_API_KEY: 'AbCdEf0123456789Gh',
    BYBIT_API_SECRET: SECRET,
  });
  await writeFile(envFile, `BYBIT_API_KEY=AbCdEf0123456789Gh\nBYBIT_API_SECRET=${SECRET}\n`);
  [builds.all, builds.noAge, builds.noKeyring] = await Promise.all([
    buildForChild(['index.ts']),
    buildForChild(['index.ts'], { without: ['age-encryption'] }),
    buildForChild(['index.ts'], { without: ['@napi-rs/keyring'] }),
  ]);
});

afterAll(async () => {
  await Promise.all(Object.values(builds).map((build) => build?.dispose()));
  await rm(dir, { recursive: true, force: true });
});

async function run(build: keyof typeof builds, scenario: string): Promise<ChildResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      CHILD,
      builds[build]!.module('index.ts'),
      scenario,
      scenario.startsWith('dotenv') ? envFile : keystore,
    ],
    // No D-Bus variables: the keychain cannot be reached in any child, peers or not.
    { env: { PATH: process.env.PATH, HOME: dir, EXKEYS_TEST_PASSPHRASE: PASSPHRASE } },
  );
  return JSON.parse(stdout) as ChildResult;
}

function expectNoSecret(result: ChildResult): void {
  expect(result.printed?.length).toBeGreaterThan(0);
  for (const text of [result.message ?? '', ...(result.printed ?? [])]) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(PASSPHRASE);
  }
}

describe('with every optional peer installed (control)', () => {
  it('the child opens the keystore, so a failure below is the missing package and nothing else', async () => {
    expect(await run('all', 'age-read')).toEqual({
      ok: true,
      names: ['BYBIT_API_KEY', 'BYBIT_API_SECRET'],
    });
  });

  it('an unreachable keychain is reported as such, without asking to install anything', async () => {
    const result = await run('all', 'keychain-read');
    expect(result).toMatchObject({ ok: false, name: 'KeystoreError', code: 'unavailable' });
    expect(result.message).toContain('D-Bus');
    expect(result.message).not.toContain('npm i');
  });
});

describe('without age-encryption', () => {
  it.each([
    ['reading a keystore', 'age-read'],
    ['reading a keystore that does not exist yet', 'age-read-missing'],
    ['writing a keystore', 'age-write'],
  ])('%s throws KeystoreError `unavailable` naming the package to install', async (_, scenario) => {
    const result = await run('noAge', scenario);
    expect(result).toMatchObject({ ok: false, name: 'KeystoreError', code: 'unavailable' });
    expect(result.message).toContain('npm i age-encryption');
    expectNoSecret(result);
  });

  it('leaves the rest of the package working: the .env store still loads', async () => {
    expect(await run('noAge', 'dotenv-read')).toEqual({
      ok: true,
      names: ['BYBIT_API_KEY', 'BYBIT_API_SECRET'],
    });
  });
});

describe('without @napi-rs/keyring', () => {
  it.each([
    ['keychainStore', 'keychain-read'],
    ['an age identity kept in the keychain', 'identity-keychain'],
  ])('%s throws KeystoreError `unavailable` naming the package to install', async (_, scenario) => {
    const result = await run('noKeyring', scenario);
    expect(result).toMatchObject({ ok: false, name: 'KeystoreError', code: 'unavailable' });
    expect(result.message).toContain('npm i @napi-rs/keyring');
    expectNoSecret(result);
  });

  it('leaves the age keystore working', async () => {
    expect(await run('noKeyring', 'age-read')).toEqual({
      ok: true,
      names: ['BYBIT_API_KEY', 'BYBIT_API_SECRET'],
    });
  });
});
