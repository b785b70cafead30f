import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateIdentity } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildForChild, type ChildBuild } from '../__fixtures__/child-build.js';
import { KeystoreError } from '../errors.js';
import { keychainStore } from './keychain-store.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('../__fixtures__/stores/keychain-child.mjs', import.meta.url));
const CANARY = 'CANARYSECRETkeychain0123456789abcdef';
const OTHER = 'CANARYKEYkeychain9876543210';
// A throwaway age identity, generated for these tests only.
const IDENTITY = await generateIdentity();

function missingTool(): string | null {
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (apt-get install dbus gnome-keyring libsecret-tools)`;
    }
  }
  return null;
}
const toolsMissing =
  process.platform === 'linux' ? missingTool() : 'Secret Service tests are Linux-only';

const BARE_BUS_CONFIG = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`;

interface ChildResult {
  ok: boolean;
  error?: { name: string; code: string; message: string };
  [key: string]: unknown;
}

let build: ChildBuild;
let home = '';

beforeAll(async () => {
  build = await buildForChild(['stores/keychain-store.ts', 'stores/age/age-store.ts', 'index.ts']);
  home = await mkdtemp(join(tmpdir(), 'exkeys-keychain-home-'));
});
afterAll(async () => {
  await build?.dispose();
  await rm(home, { recursive: true, force: true });
});

/**
 * Starts a private D-Bus session with a fresh gnome-keyring (unlocked with a test password unless
 * `locked`), runs the child once per scenario, and returns one result per scenario plus the raw output.
 */
async function inKeyringSession(
  service: string,
  scenarios: readonly string[],
  options: { locked?: boolean; noProvider?: boolean } = {},
): Promise<{ results: ChildResult[]; output: string }> {
  let unlock =
    'printf %s "$EXKEYS_TEST_KEYRING_PW" | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null';
  if (options.locked) unlock = 'gnome-keyring-daemon --components=secrets --daemonize >/dev/null';
  const bus: string[] = [];
  if (options.noProvider) {
    // A session bus that cannot activate any service: no Secret Service provider at all.
    const config = join(home, 'bus.conf');
    await writeFile(config, BARE_BUS_CONFIG);
    bus.push(`--config-file=${config}`);
    unlock = 'true';
  }
  const steps = scenarios.map((s) => `node "$CHILD" "$MODULE" ${s} "$SERVICE"`).join('; ');
  const { stdout, stderr } = await run(
    'dbus-run-session',
    [...bus, '--', 'bash', '-c', `${unlock}; ${steps}`],
    {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_RUNTIME_DIR: home,
        CHILD,
        MODULE: build.module('stores/keychain-store.ts'),
        SERVICE: service,
        EXKEYS_TEST_KEYRING_PW: 'test-keyring-password',
        EXKEYS_TEST_CANARY: CANARY,
        EXKEYS_TEST_OTHER: OTHER,
        EXKEYS_TEST_AGE_MODULE: build.module('stores/age/age-store.ts'),
        EXKEYS_TEST_INDEX_MODULE: build.module('index.ts'),
        EXKEYS_TEST_KEYSTORE: join(home, `${service}.age`),
        EXKEYS_TEST_IDENTITY: IDENTITY,
      },
      timeout: 60_000,
    },
  );
  const results = stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as ChildResult);
  expect(results).toHaveLength(scenarios.length);
  return { results, output: stdout + stderr };
}

function expectNoCanary(text: string): void {
  expect(text).not.toContain(CANARY);
  expect(text).not.toContain(CANARY.slice(0, 16));
  expect(text).not.toContain(OTHER);
}

describe('keychainStore against a real gnome-keyring Secret Service', () => {
  it('writes, reads, lists and deletes through Secret Service, with an index entry', async (ctx) => {
    if (toolsMissing) {
      console.warn(`skipped: ${toolsMissing}`);
      ctx.skip();
    }
    const { results, output } = await inKeyringSession('exkeys-test-a', [
      'write',
      'read',
      'delete',
    ]);
    const [write, read, del] = results as [ChildResult, ChildResult, ChildResult];
    expect(write).toMatchObject({
      ok: true,
      kind: 'keychain',
      location: 'keychain service "exkeys-test-a"',
    });
    expect(read).toMatchObject({
      ok: true,
      names: ['BYBIT_API_KEY', 'BYBIT_API_SECRET', 'OKX_API_KEY'],
      secretRoundTrips: true,
      keyRoundTrips: true,
      inSecretService: true,
      indexHoldsNoValue: true,
      list: [
        { name: 'BYBIT_API_KEY', rotatedAt: null },
        { name: 'BYBIT_API_SECRET', rotatedAt: '2024-01-02T03:04:05.000Z' },
        { name: 'OKX_API_KEY', rotatedAt: null },
      ],
    });
    expect(read.index).toEqual({
      v: 1,
      variables: {
        BYBIT_API_KEY: { rotatedAt: null },
        BYBIT_API_SECRET: { rotatedAt: '2024-01-02T03:04:05.000Z' },
        OKX_API_KEY: { rotatedAt: null },
      },
    });
    expect(del).toMatchObject({
      ok: true,
      names: ['BYBIT_API_KEY', 'OKX_API_KEY'],
      goneFromSecretService: true,
      list: [
        { name: 'BYBIT_API_KEY', rotatedAt: null },
        { name: 'OKX_API_KEY', rotatedAt: null },
      ],
    });
    expectNoCanary(output);
  });

  it('serves the core functions: save, rotate, list, then load → retrieve', async (ctx) => {
    if (toolsMissing) {
      console.warn(`skipped: ${toolsMissing}`);
      ctx.skip();
    }
    const { results, output } = await inKeyringSession('exkeys-test-g', ['three-steps']);
    const [steps] = results as [ChildResult];
    expect(steps).toMatchObject({
      ok: true,
      envRotated: true,
      retrieved: true,
      load: { loaded: true, injected: ['BYBIT_API_KEY', 'BYBIT_API_SECRET'], skipped: [] },
      rows: [
        {
          exchange: 'bybit',
          profile: 'default',
          keyPreview: `${OTHER.slice(0, 6)}…`,
          bothConfigured: true,
          ageDays: 0,
        },
      ],
    });
    const [row] = steps.rows as Array<{ rotatedAt: string }>;
    expect(Number.isNaN(Date.parse(row?.rotatedAt ?? ''))).toBe(false);
    expectNoCanary(output);
  });

  it('persists on disk: a new D-Bus session and keyring daemon reads what the last one wrote', async (ctx) => {
    if (toolsMissing) {
      console.warn(`skipped: ${toolsMissing}`);
      ctx.skip();
    }
    const first = await inKeyringSession('exkeys-test-b', ['write']);
    expect(first.results[0]).toMatchObject({ ok: true });
    const second = await inKeyringSession('exkeys-test-b', ['read']);
    expect(second.results[0]).toMatchObject({
      ok: true,
      secretRoundTrips: true,
      inSecretService: true,
    });
    expectNoCanary(first.output + second.output);
  });

  it('fails with `unavailable` when the keyring is locked, without leaking the value', async (ctx) => {
    if (toolsMissing) {
      console.warn(`skipped: ${toolsMissing}`);
      ctx.skip();
    }
    const lockedHome = await mkdtemp(join(tmpdir(), 'exkeys-keychain-locked-'));
    const saved = home;
    home = lockedHome;
    try {
      const { results, output } = await inKeyringSession('exkeys-test-c', ['write-only'], {
        locked: true,
      });
      expect(results[0]).toMatchObject({
        ok: false,
        error: { name: 'KeystoreError', code: 'unavailable' },
      });
      expect(results[0]!.error!.message).toMatch(/locked/);
      expectNoCanary(output);
    } finally {
      home = saved;
      await rm(lockedHome, { recursive: true, force: true });
    }
  });

  it('holds the age identity that opens an age keystore (identityKeychain / EXKEYS_AGE_IDENTITY_KEYCHAIN)', async (ctx) => {
    if (toolsMissing) {
      console.warn(`skipped: ${toolsMissing}`);
      ctx.skip();
    }
    const { results, output } = await inKeyringSession('exkeys-test-e', ['age-identity']);
    expect(results[0]).toMatchObject({
      ok: true,
      byOption: true,
      byEnv: true,
      missingIdentity: { name: 'KeystoreError', code: 'no-key' },
    });
    expectNoCanary(output);
    expect(output).not.toContain(IDENTITY.slice(0, 20));
  });

  it('fails with `unavailable` when the session bus has no Secret Service provider', async (ctx) => {
    if (toolsMissing) {
      console.warn(`skipped: ${toolsMissing}`);
      ctx.skip();
    }
    const { results, output } = await inKeyringSession('exkeys-test-f', ['write-only'], {
      noProvider: true,
    });
    expect(results[0]).toMatchObject({
      ok: false,
      error: { name: 'KeystoreError', code: 'unavailable' },
    });
    expect(results[0]!.error!.message).toContain('no Secret Service');
    expectNoCanary(output);
  });

  it('reports a damaged index entry as `corrupted`', async (ctx) => {
    if (toolsMissing) {
      console.warn(`skipped: ${toolsMissing}`);
      ctx.skip();
    }
    const { results } = await inKeyringSession('exkeys-test-d', ['corrupt-index']);
    expect(results[0]).toMatchObject({
      ok: false,
      error: { name: 'KeystoreError', code: 'corrupted' },
    });
    expect(results[0]!.error!.message).toContain('secret-tool clear service exkeys-test-d');
  });
});

describe('keychainStore without a D-Bus session', () => {
  it('fails with `unavailable` and says how to fix it (child process with no D-Bus variables)', async (ctx) => {
    if (process.platform !== 'linux') {
      console.warn('skipped: the D-Bus check only applies on Linux');
      ctx.skip();
    }
    const { stdout } = await run(
      process.execPath,
      [CHILD, build.module('stores/keychain-store.ts'), 'write-only', 'x'],
      {
        env: { PATH: process.env.PATH, HOME: home, EXKEYS_TEST_CANARY: CANARY },
      },
    );
    const result = JSON.parse(stdout) as ChildResult;
    expect(result).toMatchObject({
      ok: false,
      error: { name: 'KeystoreError', code: 'unavailable' },
    });
    expect(result.error!.message).toContain('DBUS_SESSION_BUS_ADDRESS is not set');
    expect(result.error!.message).toContain('dbus-run-session');
    expectNoCanary(stdout);
  });

  it('checks before touching the keyring binding, for every method', async (ctx) => {
    if (process.platform !== 'linux') {
      console.warn('skipped: the D-Bus check only applies on Linux');
      ctx.skip();
    }
    vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', '');
    try {
      const store = keychainStore({ service: 'exkeys-test-nodbus' });
      for (const call of [
        () => store.readAll(),
        () => store.list(),
        () => store.write({ A: CANARY }),
        () => store.delete(['A']),
      ]) {
        const error = await call().then(
          () => null,
          (e: unknown) => e,
        );
        expect(KeystoreError.isInstance(error)).toBe(true);
        expect((error as KeystoreError).code).toBe('unavailable');
        expect((error as KeystoreError).message).not.toContain(CANARY.slice(0, 12));
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('defaults the service to "exkeys" and refuses the index account as a variable name', async () => {
    expect(keychainStore().location).toBe('keychain service "exkeys"');
    expect(() => keychainStore({ service: '' })).toThrow(TypeError);
    vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', '');
    try {
      await expect(keychainStore().write({ __exkeys_index__: 'x' })).rejects.toThrow(TypeError);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
