/**
 * `exkeys rotate --auto` end to end: the sandbox runs in this process (so its own key list is the
 * judge), the CLI as a child. Kill tests SIGKILL the rotation at each step and at random moments,
 * then `--resume` must leave exactly one working key, in the store and on the exchange.
 * Request and response shapes: https://bybit-exchange.github.io/docs/v5/user/create-subuid-apikey,
 * https://bybit-exchange.github.io/docs/v5/user/list-sub-apikeys,
 * https://bybit-exchange.github.io/docs/v5/user/rm-sub-apikey.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyBybitKey } from '@exkeys/bybit';
import { getCredentials, loadApiKeys } from '@exkeys/credentials';
import { type Sandbox, type SandboxKey, startSandbox } from '@exkeys/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BIN,
  type CliResult,
  cliProjects,
  exkeys,
  filesUnder,
  secretFragments,
  type TempProject,
} from './test-cli.js';

const newProject = cliProjects();

const SUB = '100400345';
const ADMIN = { key: 'CANARYadmin0bybit1', secret: 'CANARYSECRETadmin0bybitQz8Wm3Kx7Tn2L' };
const BOT = { key: 'CANARYbot00bybit01', secret: 'CANARYSECRETbot000bybitQz8Wm3Kx7Tn2L' };

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

interface Setup {
  project: TempProject;
  baseUrl: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
}

async function setup(
  bot: Partial<SandboxKey> = {},
  admin: Partial<SandboxKey> = {},
): Promise<Setup> {
  sandbox = await startSandbox({
    keys: [
      {
        exchange: 'bybit',
        apiKey: ADMIN.key,
        apiSecret: ADMIN.secret,
        nativePermissions: { Wallet: ['AccountTransfer', 'SubMemberTransfer'] },
        ips: ['127.0.0.1'],
        ...admin,
      },
      {
        exchange: 'bybit',
        apiKey: BOT.key,
        apiSecret: BOT.secret,
        subAccount: SUB,
        nativePermissions: {
          Spot: ['SpotTrade'],
          ContractTrade: ['Order', 'Position'],
          Wallet: ['AccountTransfer'],
        },
        ips: ['127.0.0.1', '192.0.2.10'],
        ...bot,
      },
    ],
  });
  const project = newProject();
  writeFileSync(
    join(project.dir, '.env'),
    [
      `BYBIT_BOT_API_KEY=${BOT.key}`,
      `BYBIT_BOT_API_SECRET=${BOT.secret}`,
      `BYBIT_ADMIN_API_KEY=${ADMIN.key}`,
      `BYBIT_ADMIN_API_SECRET=${ADMIN.secret}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const stateDir = join(project.home, 'state');
  return { project, baseUrl: sandbox.url, stateDir, env: { XDG_STATE_HOME: stateDir } };
}

function rotate(s: Setup, ...extra: string[]): Promise<CliResult> {
  return exkeys(
    s.project,
    ['rotate', 'bybit', '--auto', '--profile', 'BOT', '--base-url', s.baseUrl, ...extra],
    { env: s.env },
  );
}

async function storeEnv(s: Setup): Promise<Record<string, string | undefined>> {
  const target: Record<string, string | undefined> = {};
  await loadApiKeys({ envFile: join(s.project.dir, '.env'), target });
  return target;
}

const subKeys = () => (sandbox?.keys() ?? []).filter((k) => k.subAccount === SUB);

function journalFiles(s: Setup): string[] {
  try {
    return readdirSync(join(s.stateDir, 'exkeys', 'rotations'));
  } catch {
    return [];
  }
}

/** The invariants after any rotation, finished or rolled back: one working key, in both places. */
async function expectOneWorkingKey(s: Setup): Promise<string> {
  const env = await storeEnv(s);
  const stored = env.BYBIT_BOT_API_KEY ?? '';
  expect(subKeys().map((k) => k.apiKey)).toEqual([stored]);
  const report = await verifyBybitKey(getCredentials('bybit', { profile: 'BOT', env }), {
    baseUrl: s.baseUrl,
  });
  expect(report.ipRestricted).toBe(true);
  expect(subKeys()[0]?.ips).toEqual(['127.0.0.1', '192.0.2.10']);
  expect(journalFiles(s)).toEqual([]);
  if (stored !== BOT.key) {
    // A rotated key never gets the old key's fund-moving permission.
    expect(JSON.stringify(subKeys()[0]?.nativePermissions)).not.toContain('AccountTransfer');
    const old = getCredentials('bybit', {
      env: { BYBIT_API_KEY: BOT.key, BYBIT_API_SECRET: BOT.secret },
    });
    await expect(verifyBybitKey(old, { baseUrl: s.baseUrl })).rejects.toMatchObject({
      reason: 'invalid-key',
    });
  }
  return stored;
}

/** No fragment of any secret (old, admin, the new one) in `texts`, after checking they exist. */
async function expectNoSecrets(s: Setup, texts: string[]): Promise<void> {
  expect(texts.join('').length).toBeGreaterThan(0);
  const env = await storeEnv(s);
  const secrets = [BOT.secret, ADMIN.secret, env.BYBIT_BOT_API_SECRET ?? ''];
  const all = texts.join('\n');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(20);
    for (const fragment of secretFragments(secret)) expect(all).not.toContain(fragment);
  }
  // Keys are shown as previews of at most 6 characters.
  for (const key of [BOT.key, ADMIN.key, env.BYBIT_BOT_API_KEY ?? '']) {
    expect(all).not.toContain(key.slice(0, 7));
  }
}

describe('exkeys rotate --auto (Bybit, sandbox sub-accounts)', () => {
  it('rotates: the new key works, the old is refused, permissions and IP list kept, no fund-moving permission', async () => {
    const s = await setup();
    const result = await rotate(s, '--grace', '0');
    expect(result.stderr).toBe(`Target: ${s.baseUrl} (--base-url).\n`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Not copied (fund-moving): Wallet.AccountTransfer.');
    const stored = await expectOneWorkingKey(s);
    expect(stored).not.toBe(BOT.key);
    expect(subKeys()[0]?.nativePermissions).toEqual({
      Spot: ['SpotTrade'],
      ContractTrade: ['Order', 'Position'],
    });
    // The admin key is untouched, in the store and on the exchange.
    expect((await storeEnv(s)).BYBIT_ADMIN_API_KEY).toBe(ADMIN.key);
    expect(sandbox?.keys().some((k) => k.apiKey === ADMIN.key)).toBe(true);
    // The store stays private.
    expect(statSync(join(s.project.dir, '.env')).mode & 0o777).toBe(0o600);
    await expectNoSecrets(s, [result.stdout, result.stderr]);
  });

  it('--json reports each step; --dry-run changes nothing', async () => {
    const s = await setup();
    const before = readFileSync(join(s.project.dir, '.env'), 'utf8');
    const plan = await rotate(s, '--dry-run', '--json');
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout) as { outcome: string; plan: string[] };
    expect(planned.outcome).toBe('planned');
    expect(planned.plan.length).toBeGreaterThan(3);
    expect(readFileSync(join(s.project.dir, '.env'), 'utf8')).toBe(before);
    expect(subKeys().map((k) => k.apiKey)).toEqual([BOT.key]);

    const done = await rotate(s, '--grace', '0', '--json');
    expect(done.code).toBe(0);
    const report = JSON.parse(done.stdout) as {
      ok: boolean;
      outcome: string;
      steps: Array<{ step: string; status: string }>;
    };
    expect(report.ok).toBe(true);
    expect(report.outcome).toBe('rotated');
    const finished = report.steps.filter((e) => e.status === 'done').map((e) => e.step);
    expect(finished).toEqual([
      'describe',
      'create',
      'verify',
      'swap',
      'grace',
      'delete',
      'confirm',
    ]);
    await expectOneWorkingKey(s);
    await expectNoSecrets(s, [plan.stdout, plan.stderr, done.stdout, done.stderr]);
  });

  describe('refusals leave the store and the exchange unchanged', () => {
    async function refused(s: Setup, reason: string, ...extra: string[]): Promise<CliResult> {
      const before = readFileSync(join(s.project.dir, '.env'), 'utf8');
      const keysBefore = sandbox?.keys();
      const result = await rotate(s, '--grace', '0', '--json', ...extra);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { ok: boolean; error: { reason: string } };
      expect(report.ok).toBe(false);
      expect(report.error.reason).toBe(reason);
      expect(readFileSync(join(s.project.dir, '.env'), 'utf8')).toBe(before);
      expect(sandbox?.keys()).toEqual(keysBefore);
      expect(journalFiles(s)).toEqual([]);
      await expectNoSecrets(s, [result.stdout, result.stderr]);
      return result;
    }

    it('an admin key without the permission to manage sub-account keys', async () => {
      const s = await setup({}, { nativePermissions: { Spot: ['SpotTrade'] } });
      const result = await refused(s, 'admin-refused');
      expect(result.stdout).toContain('10005');
    });

    it('a bot key without an IP whitelist (and the control: --allow-no-ip rotates it)', async () => {
      const s = await setup({ ips: [] });
      await refused(s, 'no-ip-whitelist');
      const allowed = await rotate(s, '--grace', '0', '--allow-no-ip');
      expect(allowed.code).toBe(0);
      expect(subKeys()).toHaveLength(1);
      expect(subKeys()[0]?.apiKey).not.toBe(BOT.key);
    });

    it('an exchange answer that cannot be read', async () => {
      const s = await setup({
        keyInfoBody: { retCode: 0, retMsg: 'OK', result: { readOnly: 0, isMaster: false } },
      });
      const result = await refused(s, 'unreadable-response');
      expect(result.stdout).toContain('result.userID');
    });

    it('a master-account key in the bot profile', async () => {
      const s = await setup({ subAccount: undefined });
      await refused(s, 'master-key');
    });
  });

  describe('kill tests: SIGKILL mid-rotation, then --resume', () => {
    /** Starts the rotation and SIGKILLs it when `when` says so; resolves once it is dead. */
    function killed(s: Setup, when: { line?: string; afterMs?: number }): Promise<string> {
      return new Promise((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [
            '--',
            BIN,
            'rotate',
            'bybit',
            '--auto',
            '--profile',
            'BOT',
            '--grace',
            '1',
            '--base-url',
            s.baseUrl,
          ],
          {
            cwd: s.project.dir,
            env: { ...s.project.env, ...s.env },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let output = '';
        const kill = () => child.kill('SIGKILL');
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
          if (when.line !== undefined && output.includes(when.line)) kill();
        });
        child.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
        });
        if (when.afterMs !== undefined) setTimeout(kill, when.afterMs);
        child.on('error', reject);
        child.on('close', () => resolve(output));
      });
    }

    async function resumeAndCheck(s: Setup, output: string): Promise<void> {
      const resumed = await exkeys(
        s.project,
        ['rotate', 'bybit', '--resume', '--profile', 'BOT', '--base-url', s.baseUrl],
        { env: s.env },
      );
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      await expectOneWorkingKey(s);
      const journals = filesUnder(s.stateDir).map((f) => f.content);
      await expectNoSecrets(s, [output, resumed.stdout, resumed.stderr, ...journals]);
      // A second rotation after the settled one works too.
      const again = await rotate(s, '--grace', '0');
      expect(again.code, again.stdout + again.stderr).toBe(0);
      await expectOneWorkingKey(s);
    }

    const STEPS: Array<[string, string]> = [
      ['create', '→ Creating a key'],
      ['verify', '→ Verifying key'],
      ['swap', '→ Writing key'],
      ['grace', '→ Waiting 1 s'],
      ['delete', '→ Deleting the old key'],
      ['confirm', '→ Checking that Bybit refuses'],
    ];
    for (const [step, line] of STEPS) {
      it(`killed at step ${step}`, async () => {
        const s = await setup();
        const output = await killed(s, { line });
        expect(output).toContain(line);
        await resumeAndCheck(s, output);
      });
    }

    it('killed at 5 random moments, and the journal never holds a secret', async () => {
      for (let run = 0; run < 5; run++) {
        const s = await setup();
        const output = await killed(s, { afterMs: Math.floor(Math.random() * 2500) });
        for (const file of filesUnder(s.stateDir)) {
          expect(statSync(file.path).mode & 0o777).toBe(0o600);
        }
        await resumeAndCheck(s, output);
        s.project.remove();
        await sandbox?.close();
        sandbox = undefined;
      }
    });
  });
});

describe('admin profiles stay away from bots', () => {
  it('exkeys run injects the bot profile but never the admin profile', async () => {
    const s = await setup();
    const result = await exkeys(
      s.project,
      [
        'run',
        '--',
        process.execPath,
        '-e',
        'console.log(Object.keys(process.env).filter((n) => n.startsWith("BYBIT_")).sort().join(","))',
      ],
      { env: { ...s.env, BYBIT_ADMIN2_API_KEY: 'CANARYshellADMIN02' } },
    );
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('BYBIT_BOT_API_KEY,BYBIT_BOT_API_SECRET');
  });

  it('doctor warns about an admin key in the same store as bot keys', async () => {
    const s = await setup();
    const result = await exkeys(s.project, ['doctor', '--json'], { env: s.env });
    const findings = JSON.parse(result.stdout) as
      | { findings?: Array<{ id: string; status: string }> }
      | Array<{ id: string; status: string }>;
    const list = Array.isArray(findings) ? findings : (findings.findings ?? []);
    expect(list.find((f) => f.id === 'admin.beside-bot-keys')?.status).toBe('warn');
    // Control: without bot keys beside it, no warning.
    writeFileSync(
      join(s.project.dir, '.env'),
      `BYBIT_ADMIN_API_KEY=${ADMIN.key}\nBYBIT_ADMIN_API_SECRET=${ADMIN.secret}\n`,
      { mode: 0o600 },
    );
    const alone = await exkeys(s.project, ['doctor', '--json'], { env: s.env });
    const parsed = JSON.parse(alone.stdout) as
      | { findings?: Array<{ id: string }> }
      | Array<{ id: string }>;
    const aloneList = Array.isArray(parsed) ? parsed : (parsed.findings ?? []);
    expect(aloneList.length).toBeGreaterThan(0);
    expect(aloneList.some((f) => f.id === 'admin.beside-bot-keys')).toBe(false);
  });
});
