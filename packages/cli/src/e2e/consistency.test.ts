import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoKeys, type Sandbox, startSandbox } from '@exkeys/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliProjects, exkeys, type TempProject } from './test-cli.js';

// Exit codes, JSON, the target of live calls and the hints, as the README documents them.
let sandbox: Sandbox;
const newProject = cliProjects();
beforeAll(async () => {
  sandbox = await startSandbox({ keys: demoKeys() });
});
afterAll(async () => sandbox?.close());

function sandboxEnv(project: TempProject, file = '.env', baseUrl = sandbox.url): void {
  const bybit = demoKeys().find((k) => k.exchange === 'bybit' && k.profile === undefined);
  if (!bybit) throw new Error('no Bybit demo trade key');
  writeFileSync(
    join(project.dir, file),
    `BYBIT_API_KEY=${bybit.apiKey}\nBYBIT_API_SECRET=${bybit.apiSecret}\nEXKEYS_BASE_URL=${baseUrl}\n`,
    { mode: 0o600 },
  );
}

describe('exit codes', () => {
  it('bare exkeys prints help and exits 0; an unknown command exits 2', async () => {
    const project = newProject();
    const bare = await exkeys(project, []);
    expect(bare.code).toBe(0);
    expect(bare.stdout + bare.stderr).toContain('Usage: exkeys');
    expect((await exkeys(project, ['nosuchcommand'])).code).toBe(2);
  });

  it('an exchange verify cannot check, and a bad --base-url, are usage errors (2)', async () => {
    const project = newProject();
    const unsupported = await exkeys(project, ['verify', 'bitget']);
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toContain('cannot verify bitget keys live');
    expect((await exkeys(project, ['verify', '--base-url', 'ftp://127.0.0.1'])).code).toBe(2);
  });

  it('a --env-file or --keystore the user named must exist; the default .env may be missing', async () => {
    const project = newProject();
    for (const args of [
      ['list', '--env-file', 'nope.env'],
      ['validate', '--env-file', 'nope.env'],
      ['verify', '--env-file', 'nope.env'],
      ['list', '--keystore', 'nope.env.age'],
    ]) {
      const result = await exkeys(project, args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/No file at nope\.env/);
    }
    // Control: the default .env missing is "no keys", not a usage error; set may create a named file.
    const list = await exkeys(project, ['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('No exchange keys in .env');
  });
});

describe('--json', () => {
  it('prints valid JSON even when there is nothing to report', async () => {
    const project = newProject();
    for (const command of ['list', 'validate', 'verify']) {
      const result = await exkeys(project, [command, '--json']);
      expect(() => JSON.parse(result.stdout), command).not.toThrow();
      expect(JSON.parse(result.stdout), command).toEqual([]);
    }
  });
});

describe('the target of live calls', () => {
  it('verify reads EXKEYS_BASE_URL from the store and says where it sends requests', async () => {
    const project = newProject();
    sandboxEnv(project, '.env.sandbox');
    const result = await exkeys(project, ['verify', '--env-file', '.env.sandbox']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Target: ${sandbox.url} (EXKEYS_BASE_URL from .env.sandbox`);
    expect(sandbox.requests.some((r) => r.path === '/v5/user/query-api')).toBe(true);
    // The flag wins over the file; the shell's variable wins over the file.
    const closed = 'http://127.0.0.1:9';
    const flagged = await exkeys(project, [
      'verify',
      '--env-file',
      '.env.sandbox',
      '--base-url',
      closed,
    ]);
    expect(flagged.stderr).toContain(`Target: ${closed} (--base-url)`);
    expect(flagged.code).toBe(1);
    const shell = await exkeys(project, ['verify', '--env-file', '.env.sandbox'], {
      env: { EXKEYS_BASE_URL: closed },
    });
    expect(shell.stderr).toContain(`Target: ${closed}`);
  });

  it('without any endpoint setting, names the live APIs before the first request', async () => {
    const project = newProject();
    sandboxEnv(project, '.env', '');
    writeFileSync(
      join(project.dir, '.env'),
      readFileSync(join(project.dir, '.env'), 'utf8').replace(/EXKEYS_BASE_URL=.*\n/, ''),
    );
    // A closed loopback port stands in for the exchange; only the message is checked.
    const result = await exkeys(project, ['verify', '--json'], {
      env: { EXKEYS_BASE_URL: 'http://127.0.0.1:9' },
    });
    expect(result.stderr).toMatch(/^Target: /m);
  });
});

describe('hints', () => {
  it('name the keystore beside an empty .env, with the --keystore flag', async () => {
    const project = newProject();
    writeFileSync(join(project.dir, '.env'), 'OTHER=1\n');
    writeFileSync(join(project.dir, '.env.age'), 'age-encryption.org/v1\n');
    const list = await exkeys(project, ['list']);
    expect(list.stdout).toContain(
      'but the keystore .env.age is next to it: add --keystore .env.age',
    );
    const validate = await exkeys(project, ['validate']);
    expect(validate.stderr).toContain('--keystore .env.age');
  });

  it('print commands as the user runs them in a project (npx exkeys …)', async () => {
    const project = newProject();
    const list = await exkeys(project, ['list']);
    expect(list.stdout).toContain('npx exkeys set <exchange>');
  });
});

describe('git ignores what holds keys', () => {
  it('init ignores .env.* but keeps .env.example; sandbox --write-env adds its file', async () => {
    const project = newProject({ git: true });
    expect((await exkeys(project, ['init'])).code).toBe(0);
    const ignored = (path: string) =>
      spawnSync('git', ['check-ignore', '-q', path], { cwd: project.dir }).status === 0;
    expect(ignored('.env')).toBe(true);
    expect(ignored('.env.sandbox')).toBe(true);
    expect(ignored('.env.local')).toBe(true);
    expect(ignored('.env.example')).toBe(false);
    expect(ignored('bot.ts')).toBe(false);
  });

  it('sandbox --write-env adds the file it writes to .gitignore', async () => {
    const project = newProject({ git: true });
    const child = spawn(process.execPath, ['--', BIN, 'sandbox', '--write-env', 'demo.keys'], {
      cwd: project.dir,
      env: project.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((ready, fail) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Press Ctrl+C')) ready();
      });
      child.on('exit', () => fail(new Error(`sandbox exited early:\n${out}`)));
    });
    child.kill('SIGTERM');
    await new Promise((done) => child.on('close', done));
    expect(out).toContain('Added demo.keys to .gitignore');
    expect(out).toContain('npx exkeys verify --env-file demo.keys');
    expect(readFileSync(join(project.dir, '.gitignore'), 'utf8')).toContain('demo.keys');
    expect(existsSync(join(project.dir, 'demo.keys'))).toBe(true);
    expect(spawnSync('git', ['check-ignore', '-q', 'demo.keys'], { cwd: project.dir }).status).toBe(
      0,
    );
  });
});
