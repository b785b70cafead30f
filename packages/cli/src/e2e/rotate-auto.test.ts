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
import { verifyBinanceKey } from '@exkeys/binance';
import { verifyBybitKey } from '@exkeys/bybit';
import {
  getCredentials,
  type KeyReport,
  loadApiKeys,
  type ValidatedCredentials,
} from '@exkeys/credentials';
import { verifyOkxKey } from '@exkeys/okx';
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

/** What differs between the exchanges: keys, variable names, the verifier, fund-moving markers. */
interface Case {
  exchange: 'bybit' | 'okx' | 'binance';
  name: string;
  sub: string;
  admin: SandboxKey;
  bot: SandboxKey;
  /** An admin key of the master account that lacks what managing sub-account keys needs. */
  weakAdmin: Partial<SandboxKey>;
  /** Where the bot's permissions are read, for the unreadable-answer refusal. */
  unreadable: { body: unknown; field: string };
  /** A fund-moving permission the bot key holds, never to be copied. */
  fundMoving: string;
  /** How that permission shows in the sandbox's key list when granted. */
  fundMovingNative: string;
  verify: (creds: ValidatedCredentials, options: { baseUrl: string }) => Promise<KeyReport>;
}

const CASES: Case[] = [
  {
    exchange: 'bybit',
    name: 'Bybit',
    sub: '100400345',
    admin: {
      exchange: 'bybit',
      apiKey: 'CANARYadmin0bybit1',
      apiSecret: 'CANARYSECRETadmin0bybitQz8Wm3Kx7Tn2L',
      nativePermissions: { Wallet: ['AccountTransfer', 'SubMemberTransfer'] },
      ips: ['127.0.0.1'],
    },
    bot: {
      exchange: 'bybit',
      apiKey: 'CANARYbot00bybit01',
      apiSecret: 'CANARYSECRETbot000bybitQz8Wm3Kx7Tn2L',
      subAccount: '100400345',
      nativePermissions: {
        Spot: ['SpotTrade'],
        ContractTrade: ['Order', 'Position'],
        Wallet: ['AccountTransfer'],
      },
      ips: ['127.0.0.1', '192.0.2.10'],
    },
    weakAdmin: { nativePermissions: { Spot: ['SpotTrade'] } },
    unreadable: {
      body: { retCode: 0, retMsg: 'OK', result: { readOnly: 0, isMaster: false } },
      field: 'result.userID',
    },
    fundMoving: 'AccountTransfer',
    fundMovingNative: 'AccountTransfer',
    verify: (creds, options) => verifyBybitKey(creds as ValidatedCredentials<'bybit'>, options),
  },
  {
    exchange: 'okx',
    name: 'OKX',
    sub: 'canarybot01',
    admin: {
      exchange: 'okx',
      apiKey: 'ca0a0001-0000-4000-8000-00000000ad01',
      apiSecret: 'CA0A0001ADMIN0SECRET0000000000AA',
      passphrase: 'CanaryAdminPass-1',
      nativePermissions: 'read_only,trade',
      ips: ['127.0.0.1'],
    },
    bot: {
      exchange: 'okx',
      apiKey: 'ca0b0001-0000-4000-8000-00000000b001',
      apiSecret: 'CA0B0001BOT00SECRET00000000000BB',
      passphrase: 'CanaryBotPass-1',
      subAccount: 'canarybot01',
      nativePermissions: 'read_only,trade,withdraw',
      ips: ['127.0.0.1', '192.0.2.10'],
    },
    weakAdmin: { nativePermissions: 'read_only' },
    unreadable: {
      body: { code: '0', msg: '', data: [{ perm: 'read_only,trade' }] },
      field: 'data.0.uid',
    },
    fundMoving: 'withdraw',
    fundMovingNative: 'withdraw',
    verify: (creds, options) => verifyOkxKey(creds as ValidatedCredentials<'okx'>, options),
  },
  {
    exchange: 'binance',
    name: 'Binance',
    sub: 'canary-bot@example.invalid',
    admin: {
      exchange: 'binance',
      apiKey: 'CANARYadminKEYbinance'.padEnd(64, '0'),
      apiSecret: 'CANARYadminSECRETbinance'.padEnd(64, 'Q'),
      ips: ['127.0.0.1'],
    },
    bot: {
      exchange: 'binance',
      apiKey: 'CANARYbotKEYbinance'.padEnd(64, '0'),
      apiSecret: 'CANARYbotSECRETbinance'.padEnd(64, 'Z'),
      subAccount: 'canary-bot@example.invalid',
      nativePermissions: {
        enableReading: true,
        enableSpotAndMarginTrading: true,
        permitsUniversalTransfer: true,
      },
      ips: ['127.0.0.1', '192.0.2.10'],
    },
    weakAdmin: { permissions: { read: true, trade: false } },
    unreadable: { body: { ipRestrict: true, createTime: 1 }, field: 'enableReading' },
    fundMoving: 'permitsUniversalTransfer',
    fundMovingNative: '"permitsUniversalTransfer":true',
    verify: (creds, options) => verifyBinanceKey(creds as ValidatedCredentials<'binance'>, options),
  },
];

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

interface Setup {
  c: Case;
  project: TempProject;
  baseUrl: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
}

/** `BYBIT_BOT_API_KEY=…` lines for a key in `profile`. */
function envLines(key: SandboxKey, profile: string): string[] {
  const prefix = `${key.exchange.toUpperCase()}_${profile}_API_`;
  return [
    `${prefix}KEY=${key.apiKey}`,
    `${prefix}SECRET=${key.apiSecret}`,
    ...(key.passphrase ? [`${prefix}PASSPHRASE=${key.passphrase}`] : []),
  ];
}

async function setup(
  c: Case,
  bot: Partial<SandboxKey> = {},
  admin: Partial<SandboxKey> = {},
): Promise<Setup> {
  sandbox = await startSandbox({
    keys: [
      { ...c.admin, ...admin },
      { ...c.bot, ...bot },
    ],
  });
  const project = newProject();
  writeFileSync(
    join(project.dir, '.env'),
    [...envLines(c.bot, 'BOT'), ...envLines(c.admin, 'ADMIN'), ''].join('\n'),
    { mode: 0o600 },
  );
  const stateDir = join(project.home, 'state');
  return { c, project, baseUrl: sandbox.url, stateDir, env: { XDG_STATE_HOME: stateDir } };
}

function rotate(s: Setup, ...extra: string[]): Promise<CliResult> {
  return exkeys(
    s.project,
    ['rotate', s.c.exchange, '--auto', '--profile', 'BOT', '--base-url', s.baseUrl, ...extra],
    { env: s.env },
  );
}

async function storeEnv(s: Setup): Promise<Record<string, string | undefined>> {
  const target: Record<string, string | undefined> = {};
  await loadApiKeys({ envFile: join(s.project.dir, '.env'), target });
  return target;
}

const botVar = (s: Setup, field: 'KEY' | 'SECRET' | 'PASSPHRASE') =>
  `${s.c.exchange.toUpperCase()}_BOT_API_${field}`;

const subKeys = (s: Setup) => (sandbox?.keys() ?? []).filter((k) => k.subAccount === s.c.sub);

/** Every file under the state directory (none before the first rotation creates it). */
function stateFiles(s: Setup): Array<{ path: string; content: string }> {
  try {
    return filesUnder(s.stateDir);
  } catch {
    return [];
  }
}

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
  const stored = env[botVar(s, 'KEY')] ?? '';
  expect(subKeys(s).map((k) => k.apiKey)).toEqual([stored]);
  const report = await s.c.verify(getCredentials(s.c.exchange, { profile: 'BOT', env }), {
    baseUrl: s.baseUrl,
  });
  expect(report.ipRestricted).toBe(true);
  expect(subKeys(s)[0]?.ips).toEqual(['127.0.0.1', '192.0.2.10']);
  expect(journalFiles(s)).toEqual([]);
  if (stored !== s.c.bot.apiKey) {
    // A rotated key never gets the old key's fund-moving permission.
    expect(JSON.stringify(subKeys(s)[0]?.nativePermissions)).not.toContain(s.c.fundMovingNative);
    expect(report.permissions.withdraw || report.permissions.transfer).toBe(false);
    const prefix = s.c.exchange.toUpperCase();
    const old = getCredentials(s.c.exchange, {
      env: {
        [`${prefix}_API_KEY`]: s.c.bot.apiKey,
        [`${prefix}_API_SECRET`]: s.c.bot.apiSecret,
        ...(s.c.bot.passphrase ? { [`${prefix}_API_PASSPHRASE`]: s.c.bot.passphrase } : {}),
      },
    });
    await expect(s.c.verify(old, { baseUrl: s.baseUrl })).rejects.toMatchObject({
      reason: 'invalid-key',
    });
  }
  return stored;
}

/** No fragment of any secret (old, admin, the new one) in `texts`, after checking they exist. */
async function expectNoSecrets(s: Setup, texts: string[]): Promise<void> {
  expect(texts.join('').length).toBeGreaterThan(0);
  const env = await storeEnv(s);
  const secrets = [
    s.c.bot.apiSecret,
    s.c.admin.apiSecret,
    env[botVar(s, 'SECRET')] ?? '',
    ...[s.c.bot.passphrase, s.c.admin.passphrase, env[botVar(s, 'PASSPHRASE')]].filter(
      (p): p is string => p !== undefined,
    ),
  ];
  const all = texts.join('\n');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(10);
    for (const fragment of secretFragments(secret)) expect(all).not.toContain(fragment);
  }
  // Keys are shown as previews of at most 6 characters.
  for (const key of [s.c.bot.apiKey, s.c.admin.apiKey, env[botVar(s, 'KEY')] ?? '']) {
    expect(all).not.toContain(key.slice(0, 7));
  }
}

describe.each(CASES)('exkeys rotate $exchange --auto (sandbox sub-accounts)', (c) => {
  it('rotates: the new key works, the old is refused, permissions and IP list kept, no fund-moving permission', async () => {
    const s = await setup(c);
    const result = await rotate(s, '--grace', '0');
    expect(result.stderr).toBe(`Target: ${s.baseUrl} (--base-url).\n`);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`Not copied \\(fund-moving\\): [^\\n]*${c.fundMoving}`),
    );
    const stored = await expectOneWorkingKey(s);
    expect(stored).not.toBe(c.bot.apiKey);
    // Binance: an Ed25519 key pair made here; the exchange only ever got the public half.
    const secret = (await storeEnv(s))[botVar(s, 'SECRET')] ?? '';
    expect(subKeys(s)[0]?.publicKeyOnly).toBe(c.exchange === 'binance');
    expect(secret.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(c.exchange === 'binance');
    // The admin key is untouched, in the store and on the exchange.
    expect((await storeEnv(s))[`${c.exchange.toUpperCase()}_ADMIN_API_KEY`]).toBe(c.admin.apiKey);
    expect(sandbox?.keys().some((k) => k.apiKey === c.admin.apiKey)).toBe(true);
    // The store stays private.
    expect(statSync(join(s.project.dir, '.env')).mode & 0o777).toBe(0o600);
    await expectNoSecrets(s, [result.stdout, result.stderr]);
  });

  it('--json reports each step; --dry-run changes nothing', async () => {
    const s = await setup(c);
    const before = readFileSync(join(s.project.dir, '.env'), 'utf8');
    const plan = await rotate(s, '--dry-run', '--json');
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout) as { outcome: string; plan: string[] };
    expect(planned.outcome).toBe('planned');
    expect(planned.plan.length).toBeGreaterThan(3);
    expect(readFileSync(join(s.project.dir, '.env'), 'utf8')).toBe(before);
    expect(subKeys(s).map((k) => k.apiKey)).toEqual([c.bot.apiKey]);

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
      await refused(await setup(c, {}, c.weakAdmin), 'admin-refused');
    });

    it('a bot key without an IP whitelist (and the control: --allow-no-ip rotates it)', async () => {
      const s = await setup(c, { ips: [] });
      await refused(s, 'no-ip-whitelist');
      const allowed = await rotate(s, '--grace', '0', '--allow-no-ip');
      expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
      expect(subKeys(s)).toHaveLength(1);
      expect(subKeys(s)[0]?.apiKey).not.toBe(c.bot.apiKey);
    });

    it('an exchange answer that cannot be read', async () => {
      const s = await setup(c, { keyInfoBody: c.unreadable.body });
      const result = await refused(s, 'unreadable-response');
      expect(result.stdout).toContain(c.unreadable.field);
    });

    it('a master-account key in the bot profile', async () => {
      await refused(await setup(c, { subAccount: undefined }), 'master-key');
    });
  });

  describe('kill tests: SIGKILL mid-rotation, then --resume', () => {
    /** Starts the rotation and SIGKILLs it when `when` says so; resolves once it is dead. */
    function killed(s: Setup, when: { line?: string; afterMs?: number }): Promise<string> {
      return new Promise((resolve, reject) => {
        const args = ['rotate', c.exchange, '--auto', '--profile', 'BOT', '--grace', '1'];
        const child = spawn(process.execPath, ['--', BIN, ...args, '--base-url', s.baseUrl], {
          cwd: s.project.dir,
          env: { ...s.project.env, ...s.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
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
        ['rotate', c.exchange, '--resume', '--profile', 'BOT', '--base-url', s.baseUrl],
        { env: s.env },
      );
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      await expectOneWorkingKey(s);
      const journals = stateFiles(s).map((f) => f.content);
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
      ['confirm', `→ Checking that ${c.name} refuses`],
    ];
    for (const [step, line] of STEPS) {
      it(`killed at step ${step}`, async () => {
        const s = await setup(c);
        const output = await killed(s, { line });
        expect(output).toContain(line);
        await resumeAndCheck(s, output);
      });
    }

    it('killed at 4 random moments, and the journal never holds a secret', async () => {
      for (let run = 0; run < 4; run++) {
        const s = await setup(c);
        const output = await killed(s, { afterMs: Math.floor(Math.random() * 2500) });
        for (const file of stateFiles(s)) {
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
  const [c] = CASES as [Case];

  it('exkeys run injects the bot profile but never the admin profile', async () => {
    const s = await setup(c);
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
    const s = await setup(c);
    type Findings =
      | { findings?: Array<{ id: string; status: string }> }
      | Array<{ id: string; status: string }>;
    const idsOf = (stdout: string) => {
      const parsed = JSON.parse(stdout) as Findings;
      return Array.isArray(parsed) ? parsed : (parsed.findings ?? []);
    };
    const result = await exkeys(s.project, ['doctor', '--json'], { env: s.env });
    expect(idsOf(result.stdout).find((f) => f.id === 'admin.beside-bot-keys')?.status).toBe('warn');
    // Control: without bot keys beside it, no warning.
    writeFileSync(join(s.project.dir, '.env'), `${envLines(c.admin, 'ADMIN').join('\n')}\n`, {
      mode: 0o600,
    });
    const alone = idsOf((await exkeys(s.project, ['doctor', '--json'], { env: s.env })).stdout);
    expect(alone.length).toBeGreaterThan(0);
    expect(alone.some((f) => f.id === 'admin.beside-bot-keys')).toBe(false);
  });
});

describe('rotate --auto usage errors exit 2 and change nothing', () => {
  it.each([
    [['--auto', '--admin-profile', 'BOT'], /--admin-profile must name an admin profile/],
    [['--auto', '--grace', 'soon'], /--grace takes a number of seconds/],
    [['--auto', '--profile', 'no-dashes'], /Invalid profile/],
    [['--json'], /only work with --auto/],
  ])('rotate bybit %j', async (args, message) => {
    const s = await setup(CASES[0] as Case);
    const before = readFileSync(join(s.project.dir, '.env'), 'utf8');
    const result = await exkeys(s.project, ['rotate', 'bybit', '--base-url', s.baseUrl, ...args], {
      env: s.env,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(readFileSync(join(s.project.dir, '.env'), 'utf8')).toBe(before);
    expect(sandbox?.requests).toEqual([]);
  });
});
