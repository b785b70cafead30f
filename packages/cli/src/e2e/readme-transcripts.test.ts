// The README's ```console transcripts are the output of real runs: scripts/transcripts.mjs reruns every
// documented command (against `exkeys sandbox` where it needs an exchange) and this test fails when
// the README differs, naming the command that refreshes it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, missingCommands } from './test-cli.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(packageDir, 'scripts', 'transcripts.mjs');
const missing = missingCommands(
  ['git', 'bash', 'sed', 'grep', 'cut'],
  'git bash sed grep coreutils',
);

const script = (...args: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { timeout: 240_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });

describe('CLI README transcripts', () => {
  beforeAll(() => {
    if (!missing) ensureBuilt();
  }, 240_000);

  it('every ```console block is a regenerated transcript or says why it is not', () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8').split('\n');
    const blocks = readme.flatMap((line, i) =>
      line === '```console' ? [readme[i - 1] ?? ''] : [],
    );
    expect(blocks.length).toBeGreaterThanOrEqual(15);
    for (const before of blocks) {
      expect(before).toMatch(/^<!-- (transcript: \S+( [a-z]+)*|not runnable: .{10,}) -->$/);
    }
  });

  it('match a real run (refresh: node packages/cli/scripts/transcripts.mjs)', async (ctx) => {
    if (missing) {
      console.info(missing);
      ctx.skip();
    }
    const { code, output } = await script('--check');
    expect([code, output]).toEqual([
      0,
      expect.stringContaining('every transcript matches a real run'),
    ]);
  }, 240_000);

  it('control: a stale transcript fails the check, and regenerating replaces it with the real output', async (ctx) => {
    if (missing) {
      console.info(missing);
      ctx.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'exkeys-transcript-control-'));
    try {
      const readme = join(dir, 'README.md');
      const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
      writeFileSync(
        readme,
        'x\n<!-- transcript: t -->\n```console\n$ exkeys --version\n0.0.0-stale\n```\n<!-- /transcript -->\n',
      );
      const check = await script('--check', '--readme', readme);
      expect(check.code).toBe(1);
      expect(check.output).toContain(
        'Refresh them with: node packages/cli/scripts/transcripts.mjs',
      );
      expect((await script('--readme', readme)).code).toBe(0);
      expect(readFileSync(readme, 'utf8')).toBe(
        `x\n<!-- transcript: t -->\n\`\`\`console\n$ exkeys --version\n${version}\n[exit 0]\n\`\`\`\n<!-- /transcript -->\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
