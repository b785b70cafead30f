import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliProjects, exkeys, type TempProject } from './test-cli.js';

let project: TempProject;
const newProject = cliProjects();

describe('exkeys init', () => {
  it('creates a commented .env with mode 0600 and a .gitignore covering secret files', async () => {
    project = newProject({ git: true });
    const result = await exkeys(project, ['init']);
    expect(result.code).toBe(0);
    const envFile = join(project.dir, '.env');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const template = readFileSync(envFile, 'utf8');
    expect(template).toContain('# BYBIT_API_KEY=');
    expect(template).toContain('# OKX_API_PASSPHRASE=');
    expect(template.split('\n').filter((line) => line !== '' && !line.startsWith('#'))).toEqual([]);
    const ignore = readFileSync(join(project.dir, '.gitignore'), 'utf8').split('\n');
    expect(ignore).toContain('.env');
    expect(ignore).toContain('*.env.age');
    expect(
      project.git('check-ignore', '.env', 'keys.env.age', '.env.age').trim().split('\n'),
    ).toHaveLength(3);
  });

  it('keeps an existing .gitignore and never duplicates lines', async () => {
    project = newProject({ git: true });
    writeFileSync(join(project.dir, '.gitignore'), 'node_modules\n.env');
    await exkeys(project, ['init']);
    await exkeys(project, ['init']);
    const lines = readFileSync(join(project.dir, '.gitignore'), 'utf8').split('\n');
    expect(lines[0]).toBe('node_modules');
    expect(lines.filter((line) => line === '.env')).toHaveLength(1);
    expect(lines.filter((line) => line === '*.env.age')).toHaveLength(1);
  });

  it('refuses to overwrite an existing .env (exit 1, bytes unchanged)', async () => {
    project = newProject();
    const envFile = join(project.dir, '.env');
    writeFileSync(envFile, 'BYBIT_API_KEY=existing\n');
    const result = await exkeys(project, ['init']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already exists');
    expect(readFileSync(envFile, 'utf8')).toBe('BYBIT_API_KEY=existing\n');
  });

  it('warns when .env is already tracked by git', async () => {
    project = newProject({ git: true });
    writeFileSync(join(project.dir, '.env'), '# nothing yet\n');
    project.git('add', '.env');
    project.git('commit', '-q', '-m', 'oops');
    const result = await exkeys(project, ['init']);
    expect(result.stderr).toContain('.env is tracked by git');
    expect(result.stderr).toContain('git rm --cached .env');
  });

  it('honours --env-file', async () => {
    project = newProject({ git: true });
    const result = await exkeys(project, ['init', '--env-file', 'bot.env']);
    expect(result.code).toBe(0);
    expect(statSync(join(project.dir, 'bot.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(project.dir, '.gitignore'), 'utf8').split('\n')).toContain('bot.env');
  });
});

describe('the installed binary', () => {
  it('runs through its shebang; `node --` keeps `--env-file <new file>` away from Node', async () => {
    project = newProject({ git: true });
    const { spawnSync } = await import('node:child_process');
    const { BIN } = await import('./test-cli.js');
    const options = { cwd: project.dir, env: project.env, encoding: 'utf8' } as const;
    // Through the plain `#!/usr/bin/env node` shebang, Node itself scans the arguments and refuses
    // a file that does not exist yet (exit 9) before exkeys runs: it fails closed, nothing is written.
    const direct = spawnSync(BIN, ['init', '--env-file', 'fresh.env'], options);
    expect(direct.status).toBe(9);
    expect(direct.stderr).toContain('fresh.env: not found');
    expect(existsSync(join(project.dir, 'fresh.env'))).toBe(false);
    const guarded = spawnSync(
      process.execPath,
      ['--', BIN, 'init', '--env-file', 'fresh.env'],
      options,
    );
    expect(guarded.stderr).not.toContain('not found');
    expect(guarded.status).toBe(0);
    expect(statSync(join(project.dir, 'fresh.env')).mode & 0o777).toBe(0o600);
  });
});
