/**
 * The repository's `.pre-commit-hooks.yaml`, run by the real `pre-commit` (`pre-commit try-repo`)
 * on a temporary repository: a staged secret blocks the commit, a clean one passes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BIN,
  CANARY_BYBIT_SECRET,
  cliProjects,
  exkeys,
  leakedFragments,
  missingCommands,
  type TempProject,
} from './test-cli.js';

const newProject = cliProjects();
const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const noPreCommit = missingCommands(['pre-commit'], 'pre-commit');

/** `pre-commit try-repo <this repo> exkeys-scan` in `project`, with `exkeys` on PATH. */
function tryRepo(project: TempProject) {
  const bin = join(project.home, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'exkeys'), `#!/bin/sh\nexec "${process.execPath}" -- "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'exkeys'), 0o755);
  return spawnSync('pre-commit', ['try-repo', ROOT, 'exkeys-scan'], {
    cwd: project.dir,
    env: {
      ...project.env,
      PATH: `${bin}:${project.env.PATH}`,
      PRE_COMMIT_HOME: join(project.home, 'pre-commit'),
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('.pre-commit-hooks.yaml', () => {
  it('exkeys-scan blocks a commit that stages a secret and passes a clean one', async (ctx) => {
    if (noPreCommit) ctx.skip(noPreCommit);
    const project = newProject({ git: true });
    writeFileSync(join(project.dir, 'README.md'), '# bot\n');
    project.git('add', 'README.md');
    const clean = tryRepo(project);
    expect(clean.status, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/exkeys scan \(exchange API keys\)\.+Passed/);

    // Unstaged leaks are not part of the commit and do not block it.
    writeFileSync(join(project.dir, 'draft.js'), `// bybit ${CANARY_BYBIT_SECRET}\n`);
    expect(tryRepo(project).status).toBe(0);

    project.git('add', 'draft.js');
    const blocked = tryRepo(project);
    expect(blocked.status).toBe(1);
    expect(blocked.stdout).toMatch(/exkeys scan \(exchange API keys\)\.+Failed/);
    expect(blocked.stdout).toContain('draft.js:1  bybit-secret  [redacted]');
    expect(leakedFragments(blocked.stdout + blocked.stderr, CANARY_BYBIT_SECRET)).toEqual([]);
  }, 180_000);
});

/** `git commit` in `project` with `exkeys` on PATH; returns its status and output. */
function commit(project: TempProject, message: string) {
  const bin = join(project.home, 'bin');
  const result = spawnSync('git', ['commit', '-q', '-m', message], {
    cwd: project.dir,
    env: { ...project.env, PATH: `${bin}:${project.env.PATH}` },
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

function shim(project: TempProject): void {
  const bin = join(project.home, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'exkeys'), `#!/bin/sh\nexec "${process.execPath}" -- "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'exkeys'), 0o755);
}

describe('exkeys scan --install-hook', () => {
  it('writes a git pre-commit hook that blocks a staged secret, passes a clean commit, and turns off', async () => {
    const project = newProject({ git: true });
    shim(project);
    const installed = await exkeys(project, ['scan', '--install-hook']);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain('.git/hooks/pre-commit');
    expect(installed.stdout).toContain('git config exkeys.hook false');
    expect((await exkeys(project, ['scan', '--install-hook'])).stdout).toContain('already');

    writeFileSync(join(project.dir, 'README.md'), '# bot\n');
    project.git('add', 'README.md');
    expect(commit(project, 'clean').status).toBe(0);

    writeFileSync(join(project.dir, 'bot.js'), `// bybit ${CANARY_BYBIT_SECRET}\n`);
    project.git('add', 'bot.js');
    const blocked = commit(project, 'leak');
    expect(blocked.status).toBe(1);
    expect(blocked.output).toContain('bot.js:1  bybit-secret  [redacted]');
    expect(leakedFragments(blocked.output, CANARY_BYBIT_SECRET)).toEqual([]);
    expect(project.git('log', '--format=%s')).not.toContain('leak');

    project.git('config', 'exkeys.hook', 'false');
    expect(commit(project, 'leak anyway').status).toBe(0);
  });

  it('adds a line to .husky/pre-commit where Husky is in use, and never overwrites another hook', async () => {
    const project = newProject({ git: true });
    mkdirSync(join(project.dir, '.husky'));
    writeFileSync(join(project.dir, '.husky', 'pre-commit'), 'npm test\n');
    const husky = await exkeys(project, ['scan', '--install-hook']);
    expect(husky.code, husky.stderr).toBe(0);
    const text = readFileSync(join(project.dir, '.husky', 'pre-commit'), 'utf8');
    expect(text.startsWith('npm test\n')).toBe(true);
    expect(text).toContain('exkeys scan --staged');

    const other = newProject({ git: true });
    writeFileSync(join(other.dir, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\nlint-staged\n');
    const refused = await exkeys(other, ['scan', '--install-hook']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add the line "exkeys scan --staged" to it yourself');
    expect(readFileSync(join(other.dir, '.git', 'hooks', 'pre-commit'), 'utf8')).toBe(
      '#!/bin/sh\nlint-staged\n',
    );
    other.remove();
  });
});
