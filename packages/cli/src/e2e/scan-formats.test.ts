/**
 * `exkeys scan` in pipelines (issue 14): `--format text|json|sarif` (SARIF checked against the
 * official schema), `--exit-code`, `--staged`, and `--export-rules gitleaks`, run through the real
 * binary on temporary git repositories with canary values.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { sarifErrors } from '../test-sarif.js';
import {
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  CANARY_OKX_SECRET,
  cliProjects,
  exkeys,
  leakedFragments,
  type TempProject,
} from './test-cli.js';

const newProject = cliProjects();

function expectMasked(text: string): void {
  for (const secret of [CANARY_BYBIT_SECRET, CANARY_OKX_SECRET]) {
    expect(leakedFragments(text, secret)).toEqual([]);
  }
  expect(text).not.toContain(CANARY_BYBIT_KEY.slice(0, 7));
}

function leakyRepo(): TempProject {
  const project = newProject({ git: true });
  mkdirSync(join(project.dir, 'src'));
  writeFileSync(
    join(project.dir, 'src', 'bot.ts'),
    `// bybit\nconst key = '${CANARY_BYBIT_KEY}';\nconst secret = '${CANARY_BYBIT_SECRET}';\n`,
  );
  writeFileSync(join(project.dir, 'README.md'), '# bot\n');
  return project;
}

interface SarifResult {
  ruleId: string;
  message: { text: string };
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
  }>;
  partialFingerprints: Record<string, string>;
  properties: { commit?: string };
}

describe('exkeys scan reports', () => {
  it('--format sarif is valid SARIF 2.1.0 with repo-relative URIs, for the tree and the history', async () => {
    const project = leakyRepo();
    project.git('add', '.');
    project.git('commit', '-q', '-m', 'leak');
    project.git('rm', '-q', 'src/bot.ts');
    project.git('commit', '-q', '-m', 'unleak');
    writeFileSync(join(project.dir, 'notes.txt'), `okx secret ${CANARY_OKX_SECRET}\n`);
    const result = await exkeys(project, ['scan', '--history', '--format', 'sarif']);
    expect(result.code, result.stderr).toBe(1);
    expectMasked(result.stdout + result.stderr);
    const log = JSON.parse(result.stdout) as { runs: Array<{ results: SarifResult[] }> };
    expect(sarifErrors(log)).toEqual([]);
    const results = log.runs[0]?.results ?? [];
    expect(
      results.map((r) => {
        const location = r.locations[0]?.physicalLocation;
        return `${r.ruleId} ${location?.artifactLocation.uri}:${location?.region.startLine} ${r.properties.commit ?? '-'}`;
      }),
    ).toEqual([
      'okx-secret notes.txt:1 -',
      `bybit-key src/bot.ts:2 ${project.git('rev-parse', 'HEAD~1').trim().slice(0, 12)}`,
      `bybit-secret src/bot.ts:3 ${project.git('rev-parse', 'HEAD~1').trim().slice(0, 12)}`,
    ]);
    expect(
      results.every((r) => typeof r.partialFingerprints['exkeysFinding/v1'] === 'string'),
    ).toBe(true);

    // From a subdirectory the URIs stay relative to the repository root.
    mkdirSync(join(project.dir, 'sub'));
    writeFileSync(join(project.dir, 'sub', 'x.txt'), `okx secret ${CANARY_OKX_SECRET}\n`);
    const sub = await exkeys({ ...project, dir: join(project.dir, 'sub') }, [
      'scan',
      '--format',
      'sarif',
    ]);
    const subLog = JSON.parse(sub.stdout) as { runs: Array<{ results: SarifResult[] }> };
    expect(sarifErrors(subLog)).toEqual([]);
    expect(
      subLog.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri),
    ).toEqual(['sub/x.txt']);
  });

  it('--json is --format json; --format text is the default; they cannot disagree', async () => {
    const project = leakyRepo();
    const json = await exkeys(project, ['scan', '--json']);
    const format = await exkeys(project, ['scan', '--format', 'json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(format.stdout));
    expect((JSON.parse(json.stdout) as unknown[]).length).toBe(2);
    const text = await exkeys(project, ['scan']);
    expect(text.stdout).toContain('src/bot.ts:2  bybit-key  CANARY…');
    const both = await exkeys(project, ['scan', '--json', '--format', 'sarif']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--json and --format sarif disagree');
    expect((await exkeys(project, ['scan', '--format', 'xml'])).code).toBe(2);
  });

  it('--exit-code picks the code for findings; 2 stays for usage errors', async () => {
    const project = leakyRepo();
    expect((await exkeys(project, ['scan', '--exit-code', '0'])).code).toBe(0);
    expect((await exkeys(project, ['scan', '--exit-code', '7'])).code).toBe(7);
    const two = await exkeys(project, ['scan', '--exit-code', '2']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('except 2');
    expect((await exkeys(project, ['scan', '--exit-code', 'x'])).code).toBe(2);
    writeFileSync(join(project.dir, 'src', 'bot.ts'), 'clean\n');
    expect((await exkeys(project, ['scan', '--exit-code', '7'])).code).toBe(0);
  });

  it('--staged scans exactly the staged changes: not the working tree, not what is committed', async () => {
    const project = newProject({ git: true });
    writeFileSync(join(project.dir, 'old.js'), `// bybit\nconst s = '${CANARY_BYBIT_SECRET}';\n`);
    project.git('add', '.');
    project.git('commit', '-q', '-m', 'old leak');
    // Unstaged (working tree only) and untracked leaks are not part of the commit.
    writeFileSync(
      join(project.dir, 'old.js'),
      `// bybit\nconst s = '${CANARY_BYBIT_SECRET}';\n// okx ${CANARY_OKX_SECRET}\n`,
    );
    writeFileSync(join(project.dir, 'untracked.js'), `// okx ${CANARY_OKX_SECRET}\n`);
    writeFileSync(join(project.dir, 'clean.js'), 'export {};\n');
    project.git('add', 'clean.js');
    const clean = await exkeys(project, ['scan', '--staged']);
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('No exchange credentials found in the staged changes of 1 file');

    writeFileSync(join(project.dir, 'new.js'), `// bybit\n\nconst k = '${CANARY_BYBIT_KEY}';\n`);
    project.git('add', 'new.js');
    const staged = await exkeys(project, ['scan', '--staged', '--json']);
    expect(staged.code).toBe(1);
    expect(
      (JSON.parse(staged.stdout) as Array<{ file: string; line: number; rule: string }>).map(
        (f) => `${f.file}:${f.line}:${f.rule}`,
      ),
    ).toEqual(['new.js:3:bybit-key']);
    expectMasked(staged.stdout + staged.stderr);
    expect((await exkeys(project, ['scan', '--staged', '--history'])).code).toBe(2);
  });

  it('--baseline write records the findings; later scans report only new ones, even after code moves', async () => {
    const project = leakyRepo();
    const written = await exkeys(project, ['scan', '--baseline', 'write']);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain('2 findings recorded in');
    const baseline = readFileSync(join(project.dir, '.exkeys-baseline.json'), 'utf8');
    expectMasked(baseline);
    expect(baseline).not.toContain('bot.ts');

    const quiet = await exkeys(project, ['scan']);
    expect(quiet.code, quiet.stdout).toBe(0);
    expect(quiet.stderr).toContain('2 findings ignored');
    // Lines added above move the findings; the baseline still holds them.
    const bot = join(project.dir, 'src', 'bot.ts');
    writeFileSync(
      bot,
      `// a\n// b\n${readFileSync(bot, 'utf8')}// okx\nconst s2 = '${CANARY_OKX_SECRET}';\n`,
    );
    const fresh = await exkeys(project, ['scan', '--json']);
    expect(fresh.code).toBe(1);
    expect((JSON.parse(fresh.stdout) as Array<{ rule: string }>).map((f) => f.rule)).toEqual([
      'okx-secret',
    ]);

    // Control: another baseline file (empty) hides nothing; a broken one is refused.
    writeFileSync(join(project.dir, 'empty.json'), '{"version":1,"fingerprints":[]}');
    expect(
      (
        JSON.parse(
          (await exkeys(project, ['scan', '--json', '--baseline', 'empty.json'])).stdout,
        ) as unknown[]
      ).length,
    ).toBe(3);
    writeFileSync(join(project.dir, '.exkeys-baseline.json'), '{"version":1,"fingerprints":["x"]}');
    const broken = await exkeys(project, ['scan']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('is not an exkeys scan baseline');
    expect((await exkeys(project, ['scan', '--baseline', 'missing.json'])).code).toBe(2);
  });

  it('--export-rules gitleaks prints a gitleaks config that a TOML parser reads', async () => {
    const project = newProject();
    const result = await exkeys(project, ['scan', '--export-rules', 'gitleaks']);
    expect(result.code, result.stderr).toBe(0);
    const config = parse(result.stdout) as unknown as {
      extend: { useDefault: boolean };
      rules: Array<{ id: string }>;
    };
    expect(config.extend.useDefault).toBe(true);
    expect(config.rules.map((rule) => rule.id)).toContain('exkeys-bybit-key');
    expect((await exkeys(project, ['scan', '--export-rules', 'trufflehog'])).code).toBe(2);
  });
});
