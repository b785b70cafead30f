// The bin as Alpine runs it: the kernel hands the shebang line to BusyBox `env`. Each case runs the
// real dist/bin.js exactly as its first line asks, with `/usr/bin/env` replaced by `busybox env`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt } from './test-cli.js';

const CANARY = 'exkeysCANARYshebang7fq2';
const busybox = spawnSync('busybox', ['env', 'true']).status === 0;
const skipWhy = busybox ? undefined : 'busybox is not installed (apt-get install busybox)';

/** Runs `file` the way a kernel would, given its shebang line, through BusyBox env. */
function runShebang(shebang: string, file: string, args: string[], cwd: string) {
  const [interpreter, argument] = shebang.replace(/^#!/, '').trim().split(/ (.*)/s);
  expect(interpreter).toBe('/usr/bin/env');
  // Linux passes everything after the interpreter as one argument, as BusyBox sees it.
  const envArgs = argument === undefined ? [] : [argument];
  return spawnSync('busybox', ['env', ...envArgs, file, ...args], { cwd, encoding: 'utf8' });
}

describe.skipIf(skipWhy !== undefined)('the bin under BusyBox env', () => {
  let dir: string;
  let shebang: string;
  beforeAll(() => {
    ensureBuilt();
    shebang = readFileSync(BIN, 'utf8').split('\n', 1)[0] ?? '';
    dir = mkdtempSync(join(tmpdir(), 'exkeys-shebang-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs --version', () => {
    expect(shebang).toBe('#!/usr/bin/env node');
    const { version } = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const result = runShebang(shebang, BIN, ['--version'], dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('would have failed with the old `env -S` shebang (control)', () => {
    const result = runShebang('#!/usr/bin/env -S node --', BIN, ['--version'], dir);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/invalid option|unrecognized option/);
  });

  it('still refuses a secret passed as an argument, without echoing it', () => {
    const result = runShebang(shebang, BIN, ['set', 'bybit', `--secret=${CANARY}`], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('never accepts secrets as command-line arguments (--secret)');
    expect(result.stdout + result.stderr).not.toContain(CANARY.slice(6));
  });

  it('refuses an --env-file that sets NODE_OPTIONS, and reads one that does not', () => {
    writeFileSync(join(dir, 'options.env'), 'NODE_OPTIONS=--max-old-space-size=64\nA=1\n');
    writeFileSync(join(dir, 'plain.env'), 'A=1\n');
    const refused = runShebang(shebang, BIN, ['list', '--env-file', 'options.env'], dir);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('options.env sets NODE_OPTIONS');
    const equals = runShebang(shebang, BIN, ['list', '--env-file=options.env'], dir);
    expect(equals.status).toBe(2);
    // Control: the same command with a file without NODE_OPTIONS gets past the guard.
    const plain = runShebang(shebang, BIN, ['list', '--env-file', 'plain.env'], dir);
    expect(plain.stderr).not.toContain('NODE_OPTIONS');
    expect(plain.status).toBe(0);
    // After `--`, Node stops scanning; so does the guard (the arguments belong to `exkeys run`'s child).
    const afterSeparator = runShebang(
      shebang,
      BIN,
      ['run', '--env-file', 'plain.env', '--', 'node', '-e', '0', '--env-file', 'options.env'],
      dir,
    );
    expect(afterSeparator.stderr).not.toContain('sets NODE_OPTIONS');
  });

  it('creates a new file named with -f, which Node does not scan; --env-file fails in Node itself (control)', () => {
    const viaNode = runShebang(shebang, BIN, ['init', '--env-file', 'new-a.env'], dir);
    // Node 20 exits 9 before exkeys runs: the reason `-f` exists.
    expect(viaNode.status).toBe(9);
    expect(viaNode.stderr).toContain('new-a.env: not found');
    const short = runShebang(shebang, BIN, ['init', '-f', 'new-b.env'], dir);
    expect(short.stderr).not.toContain('not found');
    expect(short.status).toBe(0);
    expect(readFileSync(join(dir, 'new-b.env'), 'utf8')).toMatch(/BYBIT_API_KEY=/);
  });
});

if (skipWhy !== undefined) console.info(`skipped: ${skipWhy}`);
