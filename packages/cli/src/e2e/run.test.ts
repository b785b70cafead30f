import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BIN,
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  CANARY_OKX_KEY,
  CANARY_OKX_PASSPHRASE,
  CANARY_OKX_SECRET,
  cliProjects,
  exkeys,
  type TempProject,
} from './test-cli.js';

let project: TempProject;
const newProject = cliProjects();

const PRINT_ENV =
  'for (const n of ["BYBIT_API_KEY","BYBIT_API_SECRET","OKX_API_KEY","OTHER"]) console.log(n + "=" + (process.env[n] ?? "<unset>"))';

function writeEnv(): void {
  writeFileSync(
    join(project.dir, '.env'),
    `BYBIT_API_KEY=${CANARY_BYBIT_KEY}\nBYBIT_API_SECRET=${CANARY_BYBIT_SECRET}\nOKX_API_KEY=${CANARY_OKX_KEY}\nOKX_API_SECRET=${CANARY_OKX_SECRET}\nOKX_API_PASSPHRASE=${CANARY_OKX_PASSPHRASE}\nOTHER=plain\n`,
    { mode: 0o600 },
  );
}

describe('exkeys run', () => {
  it("injects the store into the child's environment only", async () => {
    project = newProject();
    writeEnv();
    const result = await exkeys(project, [
      'run',
      '--no-masking',
      '--',
      process.execPath,
      '-e',
      PRINT_ENV,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`BYBIT_API_SECRET=${CANARY_BYBIT_SECRET}`);
    expect(result.stdout).toContain(`OKX_API_KEY=${CANARY_OKX_KEY}`);
    expect(result.stdout).toContain('OTHER=plain');
    expect(result.stderr).toBe('');
  });

  it('--exchange limits what is injected, and the shell wins over the file', async () => {
    project = newProject();
    writeEnv();
    const result = await exkeys(project, [
      'run',
      '--no-masking',
      '--exchange',
      'okx',
      '--',
      process.execPath,
      '-e',
      PRINT_ENV,
    ]);
    expect(result.stdout).toContain('BYBIT_API_KEY=<unset>');
    expect(result.stdout).toContain(`OKX_API_KEY=${CANARY_OKX_KEY}`);
    expect(result.stdout).toContain('OTHER=<unset>');
    const shell = await exkeys(
      project,
      ['run', '--no-masking', '--', process.execPath, '-e', PRINT_ENV],
      {
        env: { BYBIT_API_KEY: 'FROMSHELL' },
      },
    );
    expect(shell.stdout).toContain('BYBIT_API_KEY=FROMSHELL');
  });

  it("exits with the child's exit code, and 127 for a missing command", async () => {
    project = newProject();
    expect(
      (await exkeys(project, ['run', '--', process.execPath, '-e', 'process.exit(7)'])).code,
    ).toBe(7);
    const missing = await exkeys(project, ['run', '--', 'exkeys-no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('command not found: exkeys-no-such-command');
    expect((await exkeys(project, ['run'])).code).toBe(2);
  });

  it('dies of the signal that killed the child, so the shell sees it', async () => {
    project = newProject();
    const result = await exkeys(project, ['run', '--', 'sh', '-c', 'kill -TERM $$']);
    expect(result.signal).toBe('SIGTERM');
    expect(result.code).toBeNull();
  });

  for (const signal of [
    'SIGINT',
    'SIGTERM',
    'SIGHUP',
    'SIGQUIT',
    'SIGUSR1',
    'SIGUSR2',
    'SIGWINCH',
  ] as const) {
    it(`forwards ${signal} to the child and exits with its code`, async () => {
      project = newProject();
      const script = `process.on(${JSON.stringify(signal)}, () => { console.log('child got ${signal}'); process.exit(42); }); console.log('ready'); setInterval(() => {}, 1000);`;
      const child = spawn(
        process.execPath,
        ['--', BIN, 'run', '--', process.execPath, '-e', script],
        {
          cwd: project.dir,
          env: project.env,
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      await new Promise<void>((ready) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('ready')) ready();
        });
      });
      child.kill(signal);
      const code = await new Promise<number | null>((done) =>
        child.on('close', (exit) => done(exit)),
      );
      expect(stdout).toContain(`child got ${signal}`);
      expect(code).toBe(42);
    });
  }

  it("keeps the keystore's master key and, with --exchange, other exchanges' shell keys from the child", async () => {
    project = newProject();
    writeEnv();
    const names = [
      'EXKEYS_PASSPHRASE',
      'EXKEYS_PASSPHRASE_FILE',
      'EXKEYS_AGE_IDENTITY',
      'EXKEYS_AGE_IDENTITY_FILE',
      'EXKEYS_AGE_IDENTITY_KEYCHAIN',
      'BINANCE_API_KEY',
      'BINANCE_API_SECRET_FILE',
      'OKX_API_SECRET_FILE',
      'UNRELATED',
    ];
    const print = `for (const n of ${JSON.stringify(names)}) console.log(n + "=" + (process.env[n] ?? "<unset>"))`;
    const shell = {
      EXKEYS_PASSPHRASE: 'CANARYmasterPassphrase',
      EXKEYS_PASSPHRASE_FILE: '/run/secrets/CANARYpass',
      EXKEYS_AGE_IDENTITY: 'AGE-SECRET-KEY-1CANARY',
      EXKEYS_AGE_IDENTITY_FILE: '/run/secrets/CANARYid',
      EXKEYS_AGE_IDENTITY_KEYCHAIN: 'exkeys-CANARY',
      BINANCE_API_KEY: 'CANARYbinanceShellKey',
      BINANCE_API_SECRET_FILE: '/run/secrets/binance',
      OKX_API_SECRET_FILE: '/run/secrets/okx',
      UNRELATED: 'kept',
    };
    const all = await exkeys(
      project,
      ['run', '--no-masking', '--', process.execPath, '-e', print],
      { env: shell },
    );
    expect(all.code).toBe(0);
    for (const name of names.slice(0, 5)) expect(all.stdout).toContain(`${name}=<unset>`);
    // Control: without --exchange every exchange's shell keys pass, and unrelated ones always do.
    expect(all.stdout).toContain('BINANCE_API_KEY=CANARYbinanceShellKey');
    expect(all.stdout).toContain('UNRELATED=kept');
    const okx = await exkeys(
      project,
      ['run', '--no-masking', '--exchange', 'okx', '--', process.execPath, '-e', print],
      {
        env: shell,
      },
    );
    expect(okx.stdout).toContain('BINANCE_API_KEY=<unset>');
    expect(okx.stdout).toContain('BINANCE_API_SECRET_FILE=<unset>');
    expect(okx.stdout).toContain('OKX_API_SECRET_FILE=/run/secrets/okx');
    expect(okx.stdout).toContain('UNRELATED=kept');
  });

  it('a --keystore that does not exist is a usage error, not an empty run', async () => {
    project = newProject();
    const result = await exkeys(project, ['run', '--keystore', 'missing.env.age', '--', 'true']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No file at missing.env.age (--keystore)');
  });

  it('ends the child when exkeys itself is killed (SIGKILL), so it cannot run on with the keys', async () => {
    project = newProject();
    writeEnv();
    const script = "console.log('ready ' + process.pid); setInterval(() => {}, 1000);";
    const parent = spawn(
      process.execPath,
      ['--', BIN, 'run', '--', process.execPath, '-e', script],
      {
        cwd: project.dir,
        env: project.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const pid = await new Promise<number>((ready) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /ready (\d+)/.exec(out);
        if (match) ready(Number(match[1]));
      });
    });
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 15_000;
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const survived = alive();
    if (survived) process.kill(pid, 'SIGKILL');
    expect(survived).toBe(false);
  });
});
