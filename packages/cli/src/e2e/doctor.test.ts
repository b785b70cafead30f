import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  cliProjects,
  exkeys,
  leakedFragments,
  type TempProject,
} from './test-cli.js';

let project: TempProject;
const newProject = cliProjects();

interface Finding {
  check: string;
  status: 'pass' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

async function doctor(
  ...args: string[]
): Promise<{ code: number | null; findings: Finding[]; text: string }> {
  const json = await exkeys(project, ['doctor', '--json', ...args]);
  const text = await exkeys(project, ['doctor', ...args]);
  expect(
    leakedFragments(json.stdout + json.stderr + text.stdout + text.stderr, CANARY_BYBIT_SECRET),
  ).toEqual([]);
  expect(text.code).toBe(json.code);
  return { code: json.code, findings: JSON.parse(json.stdout) as Finding[], text: text.stdout };
}

const failed = (findings: Finding[]) => findings.filter((finding) => finding.status === 'fail');

async function healthyProject(): Promise<void> {
  project = newProject({ git: true });
  await exkeys(project, ['init']);
  writeFileSync(join(project.dir, '.env'), ''); // drop the template: only the saved key below
  await exkeys(project, ['set', 'bybit'], {
    input: `${CANARY_BYBIT_KEY}\n${CANARY_BYBIT_SECRET}\n`,
  });
  project.git('add', '.gitignore');
  project.git('commit', '-q', '-m', 'ignore secrets');
}

describe('exkeys doctor', () => {
  it('passes a healthy project (exit 0)', async () => {
    await healthyProject();
    const { code, findings, text } = await doctor();
    expect(failed(findings)).toEqual([]);
    expect(code).toBe(0);
    expect(findings.map((finding) => finding.check)).toEqual(
      expect.arrayContaining([
        'file-mode',
        'gitignore',
        'tracked',
        'history',
        'valid',
        'age',
        'shared',
      ]),
    );
    expect(text).toContain('No problems found');
  });

  it('fails a world-readable .env with the chmod fix', async () => {
    await healthyProject();
    chmodSync(join(project.dir, '.env'), 0o644);
    const { code, findings } = await doctor();
    expect(code).toBe(1);
    expect(failed(findings)).toEqual([
      expect.objectContaining({ check: 'file-mode', fix: 'chmod 600 .env' }),
    ]);
  });

  it('fails an .env that is not ignored, tracked, and in history, each with its fix', async () => {
    await healthyProject();
    writeFileSync(join(project.dir, '.gitignore'), 'node_modules\n');
    project.git('add', '.gitignore', '.env');
    project.git('commit', '-q', '-m', 'oops');
    const { code, findings, text } = await doctor();
    expect(code).toBe(1);
    const checks = failed(findings).map((finding) => finding.check);
    expect(checks).toEqual(['gitignore', 'tracked', 'history']);
    expect(text).toContain('fix: git rm --cached .env');
    expect(text).toContain('git filter-repo --invert-paths --path .env');

    // Untracked and ignored again, the history still remembers it.
    project.git('rm', '-q', '--cached', '.env');
    writeFileSync(join(project.dir, '.gitignore'), '.env\n');
    project.git('add', '.gitignore');
    project.git('commit', '-q', '-m', 'untrack');
    const after = await doctor();
    expect(failed(after.findings).map((finding) => finding.check)).toEqual(['history']);
  });

  it('fails stale keys, placeholders and keys shared between profiles', async () => {
    await healthyProject();
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    const env = readFileSync(join(project.dir, '.env'), 'utf8').replace(
      /# exkeys:rotated-at BYBIT_API_KEY \S+/,
      `# exkeys:rotated-at BYBIT_API_KEY ${old}`,
    );
    writeFileSync(
      join(project.dir, '.env'),
      `${env}BYBIT_GRID_API_KEY=${CANARY_BYBIT_KEY}\nBYBIT_GRID_API_SECRET=${CANARY_BYBIT_SECRET}\nOKX_API_KEY=changeme\nOKX_API_SECRET=changeme\nOKX_API_PASSPHRASE=changeme\n`,
    );
    const { code, findings } = await doctor();
    expect(code).toBe(1);
    const problems = failed(findings);
    expect(problems).toContainEqual(
      expect.objectContaining({
        check: 'age',
        fix: 'exkeys rotate bybit',
        message: expect.stringContaining('200 days old'),
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        check: 'shared',
        message: 'BYBIT_API_KEY, BYBIT_GRID_API_KEY hold the same value',
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        check: 'shared',
        message: 'BYBIT_API_SECRET, BYBIT_GRID_API_SECRET hold the same value',
      }),
    );
    expect(
      problems
        .filter((finding) => finding.check === 'valid')
        .map((finding) => finding.message)
        .join('\n'),
    ).toContain('OKX_API_SECRET');
    // With a longer allowance the age check passes.
    const relaxed = await doctor('--max-age', '365');
    expect(failed(relaxed.findings).some((finding) => finding.check === 'age')).toBe(false);
  });

  it('still fails on a .env deleted after it was committed, and checks the keystore too', async () => {
    await healthyProject();
    project.git('add', '-f', '.env');
    project.git('commit', '-q', '-m', 'oops');
    project.git('rm', '-q', '--cached', '.env');
    project.git('commit', '-q', '-m', 'untrack');
    const passphrase = { EXKEYS_PASSPHRASE: 'doctor test passphrase' };
    expect((await exkeys(project, ['encrypt'], { env: passphrase })).code).toBe(0);
    writeFileSync(join(project.dir, '.gitignore'), '.env\n'); // the keystore is no longer ignored

    for (const args of [[], ['--keystore', '.env.age']]) {
      const json = await exkeys(project, ['doctor', '--json', ...args], { env: passphrase });
      expect(json.code, args.join(' ')).toBe(1);
      const problems = failed(JSON.parse(json.stdout) as Finding[]);
      expect(problems).toHaveLength(2);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            check: 'gitignore',
            message: '.env.age is not covered by .gitignore',
            fix: expect.stringContaining("echo '/.env.age' >> .gitignore"),
          }),
          expect.objectContaining({
            check: 'history',
            message: expect.stringMatching(/^\.env is in the git history \(2 commits/),
            fix: expect.stringContaining('git filter-repo --invert-paths --path .env'),
          }),
        ]),
      );
      expect(leakedFragments(json.stdout + json.stderr, CANARY_BYBIT_SECRET)).toEqual([]);
    }
  });
});
