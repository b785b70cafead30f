// The user's own files when they are not what exkeys expects: symlinked or hard-linked .env files,
// leftover temporary files, non-regular files, and a changed keystore recipient list.
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  cliProjects,
  exkeys,
  leakedFragments,
  missingCommands,
  type TempProject,
} from './test-cli.js';

let project: TempProject;
const newProject = cliProjects();
const PASSPHRASE = { EXKEYS_PASSPHRASE: 'correct horse battery staple 42' };
const ENV = `BYBIT_API_KEY=${CANARY_BYBIT_KEY}\nBYBIT_API_SECRET=${CANARY_BYBIT_SECRET}\n`;

interface Finding {
  check: string;
  status: string;
  message: string;
}

async function doctor(): Promise<Finding[]> {
  const result = await exkeys(project, ['doctor', '--json']);
  expect(leakedFragments(result.stdout + result.stderr, CANARY_BYBIT_SECRET)).toEqual([]);
  return JSON.parse(result.stdout) as Finding[];
}

describe('exkeys encrypt on a linked .env', () => {
  it('deletes the file a symlinked .env leads to, and says so', async () => {
    project = newProject();
    mkdirSync(join(project.dir, 'config'));
    writeFileSync(join(project.dir, 'config', 'bot.env'), ENV, { mode: 0o600 });
    symlinkSync('config/bot.env', join(project.dir, '.env'));
    const result = await exkeys(project, ['encrypt'], { env: PASSPHRASE });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('config/bot.env and .env were deleted');
    expect(existsSync(join(project.dir, 'config', 'bot.env'))).toBe(false);
    expect(existsSync(join(project.dir, '.env.age'))).toBe(true);
  });

  it('says plainly that a hard-linked .env still has its plaintext elsewhere', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), ENV, { mode: 0o600 });
    linkSync(join(project.dir, '.env'), join(project.dir, 'backup.env'));
    const result = await exkeys(project, ['encrypt'], { env: PASSPHRASE });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('the plaintext is still on disk');
    expect(result.stderr).toContain('1 other hard link');
    expect(result.stderr).toMatch(/find \/ -xdev -inum \d+/);
    expect(result.stdout + result.stderr).not.toContain(CANARY_BYBIT_SECRET);
  });
});

describe('exkeys doctor on links and leftovers', () => {
  it('reports a symlinked .env, a hard-linked one and a leftover temporary file', async () => {
    project = newProject();
    writeFileSync(join(project.dir, 'real.env'), ENV, { mode: 0o600 });
    symlinkSync('real.env', join(project.dir, '.env'));
    writeFileSync(join(project.dir, 'real.env.999999.0123456789ab.exkeys-tmp'), ENV, {
      mode: 0o600,
    });
    let findings = await doctor();
    expect(findings).toContainEqual(
      expect.objectContaining({ check: 'symlink', message: expect.stringContaining('real.env') }),
    );
    expect(findings).toContainEqual(
      expect.objectContaining({
        check: 'leftover',
        status: 'fail',
        message: expect.stringContaining('real.env.999999.0123456789ab.exkeys-tmp'),
      }),
    );
    expect(findings.some((finding) => finding.check === 'hard-link')).toBe(false);
    project = newProject();
    writeFileSync(join(project.dir, '.env'), ENV, { mode: 0o600 });
    // Control: a plain .env has none of these findings.
    findings = await doctor();
    expect(findings.filter((f) => ['symlink', 'hard-link', 'leftover'].includes(f.check))).toEqual(
      [],
    );
    linkSync(join(project.dir, '.env'), join(project.dir, 'copy.env'));
    findings = await doctor();
    expect(findings).toContainEqual(
      expect.objectContaining({ check: 'hard-link', status: 'fail' }),
    );
  });
});

describe('exkeys init and temporary files', () => {
  it('writes an ignore line that covers the temporary files of a save', async () => {
    project = newProject({ git: true });
    expect((await exkeys(project, ['init', '--env-file', 'bot.env'])).code).toBe(0);
    const names = ['bot.env.123.0123456789ab.exkeys-tmp', '.env.123.0123456789ab.exkeys-tmp'];
    expect(
      project
        .git('check-ignore', ...names)
        .trim()
        .split('\n'),
    ).toEqual(names);
  });
});

describe('non-regular files', () => {
  it('--env-file /dev/zero and a directory fail at once with what is wrong', async () => {
    project = newProject();
    for (const [path, why] of [
      ['/dev/zero', 'is a character device, not a regular file'],
      ['.', 'is a directory'],
    ]) {
      const started = Date.now();
      const result = await exkeys(project, ['list', '--env-file', path!]);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(why);
    }
  });
});

describe('keystore recipients', () => {
  const noAge = missingCommands(['age-keygen'], 'age');
  it('refuses a write to a changed recipient list without a terminal, unless --accept-recipients', async (ctx) => {
    if (noAge) ctx.skip(noAge);
    project = newProject();
    const identity = join(project.dir, 'id.age-identity');
    const other = join(project.dir, 'other.age-identity');
    expect(spawnSync('age-keygen', ['-o', identity]).status).toBe(0);
    expect(spawnSync('age-keygen', ['-o', other]).status).toBe(0);
    const recipientOf = (file: string) =>
      /public key: (age1\w+)/.exec(readFileSync(file, 'utf8'))![1]!;
    const env = { EXKEYS_AGE_IDENTITY_FILE: identity };
    const set = (args: string[] = []) =>
      exkeys(project, ['set', 'bybit', '--keystore', 'keys.env.age', ...args], {
        input: `${CANARY_BYBIT_KEY}\n${CANARY_BYBIT_SECRET}\n`,
        env,
      });
    const first = await set();
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(
      join(project.dir, 'keys.env.age.recipients'),
      `${recipientOf(identity)}\n${recipientOf(other)}\n`,
    );
    const refused = await set();
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`added ${recipientOf(other)}`);
    expect(refused.stderr).toContain('--accept-recipients');
    expect(refused.stdout + refused.stderr).not.toContain(CANARY_BYBIT_SECRET);
    const accepted = await set(['--accept-recipients']);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect((await set()).code).toBe(0);
  });
});
