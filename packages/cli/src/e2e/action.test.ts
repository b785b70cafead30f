/**
 * The repository's `action.yml` (a composite GitHub Action), tested as far as it can be off GitHub:
 * parsed by a real YAML parser (PyYAML, which Debian's pre-commit brings), and its `run:` scripts
 * executed with bash, exactly as written, on a temporary repository whose history holds a canary
 * secret. The upload step is GitHub's own action and cannot run here; its inputs are checked.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sarifErrors } from '../test-sarif.js';
import {
  BIN,
  CANARY_BYBIT_SECRET,
  cliProjects,
  leakedFragments,
  missingCommands,
  type TempProject,
} from './test-cli.js';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const CLI_VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }
).version;
const newProject = cliProjects();

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

/** action.yml through PyYAML's safe loader, or why that cannot run here. */
function loadAction(): Action | string {
  const missing = missingCommands(['python3'], 'python3-yaml');
  if (missing) return missing;
  const parsed = spawnSync(
    'python3',
    ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'],
    { input: readFileSync(join(ROOT, 'action.yml'), 'utf8'), encoding: 'utf8' },
  );
  if (parsed.status !== 0) {
    if (parsed.stderr.includes('ModuleNotFoundError')) {
      return 'skipped: PyYAML is not installed (apt-get install python3-yaml)';
    }
    throw new Error(`action.yml does not parse: ${parsed.stderr}`);
  }
  return JSON.parse(parsed.stdout) as Action;
}
const action = loadAction();

/**
 * Runs `step`'s script with bash in `cwd` as the runner would: its `env`, with `${{ inputs.* }}`
 * taken from `inputs` (else the input's default), `${{ steps.scan.outputs.* }}` from `outputs` and
 * `${{ github.action_path }}` this repository.
 */
function runStep(
  step: Step,
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    inputs?: Record<string, string>;
    outputs?: Record<string, string>;
    githubOutput: string;
  },
) {
  const spec = action as Action;
  const expand = (value: string) =>
    value.replace(/\$\{\{\s*([a-z_.-]+)\s*\}\}/g, (_, name: string) => {
      if (name === 'github.action_path') return ROOT;
      if (name.startsWith('inputs.')) {
        const input = name.slice('inputs.'.length);
        if (!(input in spec.inputs)) throw new Error(`unknown input ${input}`);
        return options.inputs?.[input] ?? spec.inputs[input]?.default ?? '';
      }
      if (name.startsWith('steps.scan.outputs.')) {
        return options.outputs?.[name.slice('steps.scan.outputs.'.length)] ?? '';
      }
      throw new Error(`unexpected expression ${name}`);
    });
  const env = Object.fromEntries(
    Object.entries(step.env ?? {}).map(([name, value]) => [name, expand(value)]),
  );
  return spawnSync('bash', ['-e', '-c', step.run ?? ''], {
    cwd: options.cwd,
    env: { ...options.env, ...env, GITHUB_OUTPUT: options.githubOutput },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** `KEY=value` lines of a `$GITHUB_OUTPUT` file. */
function outputsOf(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/**
 * A fake `npx` on PATH that records its arguments and runs the built CLI for `@exkeys/cli@…`:
 * nothing is downloaded, and the test sees which version the action asked for.
 */
function fakeNpx(project: TempProject): { env: NodeJS.ProcessEnv; calls: string } {
  const bin = join(project.home, 'bin');
  const calls = join(project.home, 'npx-calls');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> "${calls}"\n[ "$1" = --yes ] && shift\ncase "$1" in @exkeys/cli@*) shift; exec "${process.execPath}" -- "${BIN}" "$@";; esac\nexit 127\n`,
  );
  chmodSync(join(bin, 'npx'), 0o755);
  return { env: { ...project.env, PATH: `${bin}:${project.env.PATH}` }, calls };
}

/** A repository whose second commit removes a canary secret the first one added. */
function leakedInHistory(project: TempProject): void {
  writeFileSync(join(project.dir, '.gitignore'), 'node_modules/\n');
  writeFileSync(
    join(project.dir, 'bot.js'),
    `// bybit\nconst secret = '${CANARY_BYBIT_SECRET}';\n`,
  );
  project.git('add', '.');
  project.git('commit', '-q', '-m', 'bot');
  writeFileSync(
    join(project.dir, 'bot.js'),
    '// bybit\nconst secret = process.env.BYBIT_API_SECRET;\n',
  );
  project.git('commit', '-q', '-am', 'read the secret from the environment');
}

const stepNamed = (id: string) =>
  (action as Action).runs.steps.find((step) => step.id === id || step.name === id) as Step;

describe('action.yml', () => {
  it('is a composite action: scan --history as SARIF, upload-sarif, then fail on findings', (ctx) => {
    if (typeof action === 'string') return ctx.skip(action);
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual(
      ['args', 'exit-code', 'path', 'sarif-file', 'upload', 'version'].sort(),
    );
    for (const input of Object.values(action.inputs)) expect(input.description).not.toBe('');
    const [scan, upload, fail] = action.runs.steps;
    expect(scan?.id).toBe('scan');
    expect(scan?.run).toContain('scan --history --format sarif');
    expect(upload?.uses).toBe('github/codeql-action/upload-sarif@v4');
    expect(upload?.with?.sarif_file).toBe(`\${{ steps.scan.outputs.sarif-file }}`);
    expect(upload?.if).toBe("inputs.upload == 'true'");
    expect(fail?.name).toBe('Fail on findings');
    for (const step of [scan, fail]) {
      expect(step?.shell).toBe('bash');
      // Inputs reach the scripts through env only: never pasted into a script (injection).
      expect(step?.run).not.toContain('${{');
    }
  });

  it("runs the scan step's script on a repository with a secret in its history: valid SARIF, the finding, no secret", (ctx) => {
    if (typeof action === 'string') return ctx.skip(action);
    const project = newProject({ git: true });
    leakedInHistory(project);
    const npx = fakeNpx(project);
    const githubOutput = join(project.home, 'github-output');

    const scan = runStep(stepNamed('scan'), { cwd: project.dir, env: npx.env, githubOutput });

    expect(scan.status, scan.stderr).toBe(0);
    // Without a version input, the CLI of this action's own release, pinned.
    expect(readFileSync(npx.calls, 'utf8').trim()).toBe(
      `--yes @exkeys/cli@${CLI_VERSION} scan --history --format sarif --exit-code 0`,
    );
    const outputs = outputsOf(githubOutput);
    expect(outputs.findings).toBe('1');
    expect(outputs['sarif-file']).toBe(join(project.dir, 'exkeys.sarif'));
    const report = readFileSync(join(project.dir, 'exkeys.sarif'), 'utf8');
    const log = JSON.parse(report) as {
      runs: Array<{ results: Array<{ ruleId: string; properties: { commit?: string } }> }>;
    };
    expect(sarifErrors(log)).toEqual([]);
    const [result] = log.runs[0]?.results ?? [];
    expect(result?.ruleId).toBe('bybit-secret');
    expect(project.git('rev-parse', 'HEAD~1').startsWith(result?.properties.commit ?? '-')).toBe(
      true,
    );
    expect(leakedFragments(report + scan.stdout + scan.stderr, CANARY_BYBIT_SECRET)).toEqual([]);

    // The last step fails the job with exit-code, or not at all with exit-code 0.
    const fail = runStep(stepNamed('Fail on findings'), {
      cwd: project.dir,
      env: project.env,
      outputs,
      githubOutput,
    });
    expect(fail.status).toBe(1);
    expect(fail.stdout).toContain('::error::exkeys found 1 exchange credential(s)');
    const lenient = runStep(stepNamed('Fail on findings'), {
      cwd: project.dir,
      env: project.env,
      inputs: { 'exit-code': '0' },
      outputs,
      githubOutput,
    });
    expect(lenient.status).toBe(0);
  });

  it('control: a clean repository gives an empty report and does not fail', (ctx) => {
    if (typeof action === 'string') return ctx.skip(action);
    const project = newProject({ git: true });
    writeFileSync(join(project.dir, 'bot.js'), 'const secret = process.env.BYBIT_API_SECRET;\n');
    project.git('add', '.');
    project.git('commit', '-q', '-m', 'bot');
    const npx = fakeNpx(project);
    const githubOutput = join(project.home, 'github-output');

    const scan = runStep(stepNamed('scan'), {
      cwd: project.dir,
      env: npx.env,
      inputs: { 'sarif-file': 'reports/scan.sarif', version: '9.9.9' },
      githubOutput,
    });

    expect(scan.status, scan.stderr).toBe(0);
    expect(readFileSync(npx.calls, 'utf8')).toContain('@exkeys/cli@9.9.9 scan');
    const outputs = outputsOf(githubOutput);
    expect(outputs.findings).toBe('0');
    const log = JSON.parse(readFileSync(join(project.dir, 'reports/scan.sarif'), 'utf8'));
    expect(sarifErrors(log)).toEqual([]);
    const fail = runStep(stepNamed('Fail on findings'), {
      cwd: project.dir,
      env: project.env,
      outputs,
      githubOutput,
    });
    expect(fail.status).toBe(0);
  });

  it("version 'project' runs the project's own exkeys; a scan that fails stops the step, with no outputs", (ctx) => {
    if (typeof action === 'string') return ctx.skip(action);
    const project = newProject({ git: true });
    leakedInHistory(project);
    mkdirSync(join(project.dir, 'node_modules/.bin'), { recursive: true });
    const own = join(project.dir, 'node_modules/.bin/exkeys');
    writeFileSync(own, `#!/bin/sh\nexec "${process.execPath}" -- "${BIN}" "$@"\n`);
    chmodSync(own, 0o755);
    const githubOutput = join(project.home, 'github-output');

    const scan = runStep(stepNamed('scan'), {
      cwd: project.dir,
      env: project.env,
      inputs: { version: 'project' },
      githubOutput,
    });
    expect(scan.status, scan.stderr).toBe(0);
    expect(outputsOf(githubOutput).findings).toBe('1');

    rmSync(githubOutput);
    const broken = runStep(stepNamed('scan'), {
      cwd: project.dir,
      env: project.env,
      inputs: { version: 'project', args: '--no-such-flag' },
      githubOutput,
    });
    expect(broken.status).not.toBe(0);
    expect(outputsOf(githubOutput)).toEqual({});
  });
});
