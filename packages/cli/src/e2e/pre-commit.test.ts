/**
 * The repository's `.pre-commit-hooks.yaml`, run by the real `pre-commit` (`pre-commit try-repo`)
 * on a temporary repository: a staged secret blocks the commit, a clean one passes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BIN,
  CANARY_BYBIT_SECRET,
  cliProjects,
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
