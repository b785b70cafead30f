import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  CANARY_OKX_KEY,
  CANARY_OKX_PASSPHRASE,
  CANARY_OKX_SECRET,
  cliProjects,
  exkeys,
  leakedFragments,
  missingCommands,
  type TempProject,
} from './test-cli.js';

let project: TempProject;
const newProject = cliProjects();
const noSystemd = missingCommands(['systemd-analyze'], 'systemd');
let unitDir: string | undefined;
afterEach(() => {
  if (unitDir) rmSync(unitDir, { recursive: true, force: true });
  unitDir = undefined;
});

interface Units {
  files: Array<{ path: string; content: string }>;
  commands: string[];
}

async function generate(...args: string[]): Promise<Units> {
  const result = await exkeys(project, ['systemd', 'mybot', '--json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Units;
}

/**
 * Writes the generated files (and the bot's own mybot.service, which the drop-in extends) to a
 * unit directory and runs `systemd-analyze verify` on them.
 */
function verify(units: Units, edit: (content: string) => string = (c) => c) {
  unitDir = mkdtempSync(join(tmpdir(), 'exkeys-systemd-'));
  writeFileSync(
    join(unitDir, 'mybot.service'),
    '[Unit]\nDescription=bot\n[Service]\nExecStart=/bin/true\n',
  );
  for (const file of units.files) {
    const parent = basename(dirname(file.path));
    const dir = parent.endsWith('.d') ? join(unitDir, parent) : unitDir;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, basename(file.path)), edit(file.content));
  }
  const names = ['mybot.service', 'exkeys-doctor-mybot.service', 'exkeys-doctor-mybot.timer'];
  return spawnSync(
    'systemd-analyze',
    ['verify', '--man=no', ...names.map((n) => join(unitDir ?? '', n))],
    {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_UNIT_PATH: `${unitDir}:`, SYSTEMD_LOG_COLOR: '0' },
    },
  );
}

describe('exkeys systemd', () => {
  it('generates a drop-in, a doctor service and a timer that systemd-analyze verify accepts', async (ctx) => {
    if (noSystemd) ctx.skip(noSystemd);
    project = newProject();
    for (const plain of [false, true]) {
      const units = await generate('--exchange', 'bybit', 'okx', ...(plain ? ['--plain'] : []));
      expect(units.files.map((f) => f.path)).toEqual([
        '/etc/systemd/system/mybot.service.d/exkeys-credentials.conf',
        '/etc/systemd/system/exkeys-doctor-mybot.service',
        '/etc/systemd/system/exkeys-doctor-mybot.timer',
      ]);
      const [dropIn, doctor, timer] = units.files.map((f) => f.content);
      const directive = plain ? 'LoadCredential' : 'LoadCredentialEncrypted';
      const dir = plain ? '/etc/credstore' : '/etc/credstore.encrypted';
      for (const name of [
        'BYBIT_API_KEY',
        'BYBIT_API_SECRET',
        'OKX_API_KEY',
        'OKX_API_SECRET',
        'OKX_API_PASSPHRASE',
      ]) {
        expect(dropIn).toContain(`\n${directive}=${name}:${dir}/${name}\n`);
        expect(doctor).toContain(`\n${directive}=${name}:${dir}/${name}\n`);
        expect(units.commands).toContainEqual(
          plain
            ? `systemd-ask-password -n ${name}: | sudo install -m 0400 /dev/stdin ${dir}/${name}`
            : `systemd-ask-password -n ${name}: | sudo systemd-creds encrypt --name=${name} - ${dir}/${name}`,
        );
      }
      if (plain) expect(dropIn).not.toContain('LoadCredentialEncrypted');
      expect(doctor).toMatch(/\nExecStart=\S+ \S+bin\.js doctor --live --secret-files\n/);
      expect(timer).toContain('OnCalendar=daily');
      expect(units.commands.at(-1)).toBe('sudo systemctl enable --now exkeys-doctor-mybot.timer');

      const result = verify(units);
      expect(result.status, result.stderr).toBe(0);
      // Warnings (an unknown key, an invalid credential name) do not change the exit code.
      expect(result.stderr).toBe('');
    }
  });

  it('controls: systemd-analyze verify catches a broken ExecStart and warns about a bad credential name', async (ctx) => {
    if (noSystemd) ctx.skip(noSystemd);
    project = newProject();
    const units = await generate('--exchange', 'bybit');
    const missing = verify(units, (c) =>
      c.replace(/^ExecStart=\S+/m, 'ExecStart=/nonexistent/exkeys'),
    );
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('/nonexistent/exkeys');
    const badName = verify(units, (c) => c.replace('=BYBIT_API_KEY:', '=BYBIT/API_KEY:'));
    expect(badName.stderr).toContain('BYBIT/API_KEY');
  });

  it('names the keys of the store without printing any secret, and refuses bad input (exit 2)', async () => {
    project = newProject();
    writeFileSync(
      join(project.dir, '.env'),
      `BYBIT_API_KEY=${CANARY_BYBIT_KEY}\nBYBIT_API_SECRET=${CANARY_BYBIT_SECRET}\nOKX_GRID_API_KEY=${CANARY_OKX_KEY}\nOKX_GRID_API_SECRET=${CANARY_OKX_SECRET}\nOKX_GRID_API_PASSPHRASE=${CANARY_OKX_PASSPHRASE}\n`,
    );
    chmodSync(join(project.dir, '.env'), 0o600);
    const result = await exkeys(project, ['systemd', 'mybot.service', '--notify']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'LoadCredentialEncrypted=OKX_GRID_API_PASSPHRASE:/etc/credstore.encrypted/OKX_GRID_API_PASSPHRASE',
    );
    expect(result.stdout).toContain('LoadCredentialEncrypted=EXKEYS_NOTIFY_URL:');
    expect(result.stdout).toMatch(/doctor --live --secret-files --notify\n/);
    for (const secret of [
      CANARY_BYBIT_KEY,
      CANARY_BYBIT_SECRET,
      CANARY_OKX_KEY,
      CANARY_OKX_SECRET,
      CANARY_OKX_PASSPHRASE,
    ]) {
      expect(leakedFragments(result.stdout + result.stderr, secret)).toEqual([]);
    }

    const badUnit = await exkeys(project, ['systemd', 'my bot']);
    expect(badUnit.code).toBe(2);
    expect(badUnit.stderr).toContain('is not a service name systemd accepts');
    writeFileSync(join(project.dir, '.env'), '');
    const empty = await exkeys(project, ['systemd', 'mybot']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--exchange bybit okx');
  });

  it('doctor --secret-files reads the keys from $CREDENTIALS_DIRECTORY, as the generated service runs it', async () => {
    project = newProject();
    const credentials = join(project.dir, 'credentials');
    mkdirSync(credentials, { mode: 0o700 });
    for (const [name, value] of [
      ['BYBIT_API_KEY', CANARY_BYBIT_KEY],
      ['BYBIT_API_SECRET', CANARY_BYBIT_SECRET],
    ]) {
      writeFileSync(join(credentials, name ?? ''), value ?? '', { mode: 0o400 });
    }
    const env = { CREDENTIALS_DIRECTORY: credentials };
    const result = await exkeys(project, ['doctor', '--secret-files', '--json'], { env });
    expect(leakedFragments(result.stdout + result.stderr, CANARY_BYBIT_SECRET)).toEqual([]);
    const findings = JSON.parse(result.stdout) as Array<{ id: string; message: string }>;
    expect(findings).toContainEqual(
      expect.objectContaining({ id: 'valid.ok', message: 'bybit (default) passes static checks' }),
    );
    // The control: without the variable, --secret-files reads /run/secrets, where there is no key.
    const without = await exkeys(project, ['doctor', '--secret-files', '--json']);
    const none = JSON.parse(without.stdout) as Array<{ id: string }>;
    expect(none.map((f) => f.id)).toContain('valid.no-keys');
  });
});
