import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateApiKey } from '@exkeys/credentials';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BIN,
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  cliProjects,
  exkeys,
  leakedFragments,
  type TempProject,
} from './test-cli.js';

const newProject = cliProjects();
const NEW_KEY = 'ROTATEDkeybybit002';
const NEW_SECRET = 'CANARYSECRET0bybit0NEWROTATEDsecret02';

// The command run under exkeys: says which key it got, and whether it was asked to reload.
const CHILD = `
process.on('SIGHUP', () => console.log('reload ' + process.pid));
console.log('ready ' + process.pid + ' ' + process.env.BYBIT_API_KEY);
setInterval(() => {}, 1000);
`;

let running: ChildProcessWithoutNullStreams | undefined;
afterEach(() => {
  running?.kill('SIGKILL');
  running = undefined;
});

function start(project: TempProject, flags: string[]) {
  const parent = spawn(
    process.execPath,
    // --no-masking: the child prints which key it got, which masking would hide.
    ['--', BIN, 'run', '--no-masking', ...flags, '--', process.execPath, '-e', CHILD],
    { cwd: project.dir, env: project.env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  running = parent;
  const out = { stdout: '', stderr: '' };
  parent.stdout.on('data', (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  parent.stderr.on('data', (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  const waitFor = async (pattern: RegExp, what: string, ms = 15_000) => {
    for (const end = Date.now() + ms; !pattern.test(out.stdout); ) {
      if (Date.now() > end)
        throw new Error(
          `timed out waiting for ${what}; stdout: ${out.stdout} stderr: ${out.stderr}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const exit = new Promise<number | null>((done) => parent.on('close', (code) => done(code)));
  return { parent, out, waitFor, exit };
}

function writeEnv(project: TempProject): string {
  const file = join(project.dir, '.env');
  writeFileSync(
    file,
    `BYBIT_API_KEY=${CANARY_BYBIT_KEY}\nBYBIT_API_SECRET=${CANARY_BYBIT_SECRET}\n`,
    {
      mode: 0o600,
    },
  );
  return file;
}

const rotate = (envFile: string) =>
  updateApiKey('bybit', { apiKey: NEW_KEY, apiSecret: NEW_SECRET }, { envFile, env: {} });

describe('exkeys run --watch', () => {
  it('restarts the command with the new key after a rotation, and not after an invalid write', async () => {
    const project = newProject();
    const envFile = writeEnv(project);
    const run = start(project, ['--watch']);
    await run.waitFor(/ready \d+ CANARYkey0bybit001/, 'the first start');
    const first = Number(/ready (\d+)/.exec(run.out.stdout)?.[1]);

    // An invalid state (a placeholder secret) is not acted on.
    writeFileSync(envFile, `BYBIT_API_KEY=${NEW_KEY}\nBYBIT_API_SECRET=your_secret_here\n`);
    for (const end = Date.now() + 3_000; !run.out.stderr.includes('keeping the command'); ) {
      if (Date.now() > end) throw new Error(`no warning; stderr: ${run.out.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(run.out.stdout.match(/ready/g)).toHaveLength(1);

    await rotate(envFile);
    await run.waitFor(/ready \d+ ROTATEDkeybybit002/, 'the restart');
    const second = Number(/ready (\d+) ROTATED/.exec(run.out.stdout)?.[1]);
    expect(second).not.toBe(first);
    expect(run.out.stderr).toMatch(/bybit \(profile default\) now has key ROTATE…; restarting/);
    run.parent.kill('SIGTERM');
    await run.exit;
    expect(run.out.stdout.match(/ready/g)).toHaveLength(2);
    for (const secret of [CANARY_BYBIT_SECRET, NEW_SECRET])
      expect(leakedFragments(run.out.stderr, secret)).toEqual([]);
    expect(run.out.stderr).not.toContain(NEW_KEY.slice(0, 7));
  });

  it('--on-change SIGHUP signals the running command instead of restarting it', async () => {
    const project = newProject();
    const envFile = writeEnv(project);
    const run = start(project, ['--watch', '--on-change', 'HUP']);
    await run.waitFor(/ready \d+/, 'the start');
    const pid = Number(/ready (\d+)/.exec(run.out.stdout)?.[1]);
    await rotate(envFile);
    await run.waitFor(/reload \d+/, 'the signal');
    expect(run.out.stdout).toContain(`reload ${pid}`);
    expect(run.out.stdout.match(/ready/g)).toHaveLength(1);
    expect(run.out.stderr).toMatch(/now has key ROTATE…; sending SIGHUP/);
    run.parent.kill('SIGTERM');
    await run.exit;
  });

  it('refuses --on-change without --watch, a signal that is no reload, and a store without keys', async () => {
    const project = newProject();
    const without = await exkeys(project, ['run', '--on-change', 'SIGHUP', '--', 'true']);
    expect([without.code, without.stderr]).toEqual([
      2,
      expect.stringContaining('--on-change needs --watch'),
    ]);
    const kill = await exkeys(project, ['run', '--watch', '--on-change', 'SIGKILL', '--', 'true']);
    expect([kill.code, kill.stderr]).toEqual([
      2,
      expect.stringContaining('--on-change takes restart or a signal'),
    ]);
    const empty = await exkeys(project, ['run', '--watch', '--', 'true']);
    expect([empty.code, empty.stderr]).toEqual([
      2,
      expect.stringContaining('--watch found no exchange keys'),
    ]);
    // Control: the same command without --watch runs.
    expect((await exkeys(project, ['run', '--', 'true'])).code).toBe(0);
  });
});
