import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, CANARY_BYBIT_KEY, CANARY_BYBIT_SECRET, cliProjects } from './test-cli.js';

const newProject = cliProjects();

// Records every module URL the CLI resolves, through a loader hook, so the test sees what loaded.
const HOOK = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.EXKEYS_TEST_MODULE_LOG, result.url + '\\\\n');
  return result;
}\`));
`)}`;

describe('start-up', () => {
  it('help loads only commander; list and validate load neither ccxt, nor the prompt library, nor the sandbox', async () => {
    const project = newProject();
    const log = join(project.dir, 'modules.log');
    const run = (args: string[], input = '') =>
      spawnSync(process.execPath, ['--import', HOOK, '--', BIN, ...args], {
        cwd: project.dir,
        env: { ...project.env, EXKEYS_TEST_MODULE_LOG: log },
        input,
        encoding: 'utf8',
      });
    expect(run(['set', 'bybit'], `${CANARY_BYBIT_KEY}\n${CANARY_BYBIT_SECRET}\n`).status).toBe(0);
    rmSync(log);
    expect(run(['--help']).status).toBe(0);
    expect(run(['--version']).status).toBe(0);
    const forHelp = readFileSync(log, 'utf8');
    expect(forHelp).toContain('commander');
    expect(forHelp).not.toMatch(/credentials|age-encryption|@noble/);
    rmSync(log);
    for (const args of [['list'], ['validate']]) {
      expect(run(args).status, args.join(' ')).toBe(0);
    }
    const loaded = readFileSync(log, 'utf8');
    expect(loaded).toContain('/commands/list.js'); // the hook did see the lazy imports
    expect(loaded).not.toMatch(/ccxt|@clack|\/sandbox\/|\/bybit\/|\/okx\/|\/binance\//);
  });
});
