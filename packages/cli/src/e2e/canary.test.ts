import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  CANARY_OKX_KEY,
  CANARY_OKX_PASSPHRASE,
  CANARY_OKX_SECRET,
  cliProjects,
  exkeys,
  filesUnder,
  leakedFragments,
} from './test-cli.js';

const newProject = cliProjects();
const SECRETS = [CANARY_BYBIT_SECRET, CANARY_OKX_SECRET, CANARY_OKX_PASSPHRASE];

describe('canary secrets', () => {
  it('never appear in any output, nor in any file but the store, whatever the command', async () => {
    const project = newProject({ git: true });
    const outputs: string[] = [];
    const run = async (args: string[], input?: string) => {
      const result = await exkeys(project, args, input === undefined ? {} : { input });
      outputs.push(`$ exkeys ${args.join(' ')}\n${result.stdout}${result.stderr}`);
      return result;
    };
    await run(['init']);
    await run(['set', 'bybit'], `${CANARY_BYBIT_KEY}\n${CANARY_BYBIT_SECRET}\n`);
    await run(
      ['set', 'okx', '--profile', 'grid'],
      `${CANARY_OKX_KEY}\n${CANARY_OKX_SECRET}\n${CANARY_OKX_PASSPHRASE}\n`,
    );
    // A second profile sharing the secret, and a log that leaked it, give doctor and scan something to say.
    const envFile = join(project.dir, '.env');
    writeFileSync(
      envFile,
      `${readFileSync(envFile, 'utf8')}BYBIT_BOT2_API_KEY=${CANARY_BYBIT_KEY}\nBYBIT_BOT2_API_SECRET=${CANARY_BYBIT_SECRET}\n`,
    );
    writeFileSync(
      join(project.dir, 'debug.log'),
      `bybit secret=${CANARY_BYBIT_SECRET}\nokx ${CANARY_OKX_SECRET}\n`,
    );
    for (const args of [
      ['list'],
      ['list', '--json'],
      ['validate'],
      ['validate', '--json'],
      ['doctor'],
      ['doctor', '--json'],
      ['doctor', '--live', '--base-url', 'http://127.0.0.1:9'],
      ['scan'],
      ['scan', '--json'],
      ['scan', '--history'],
      ['verify', '--base-url', 'http://127.0.0.1:9'],
      ['verify', '--json', '--base-url', 'http://127.0.0.1:9'],
    ]) {
      await run(args);
    }
    await run(
      ['rotate', 'okx', '--profile', 'grid', '--base-url', 'http://127.0.0.1:9'],
      `${CANARY_OKX_KEY.replace('0a', '1b')}\n${CANARY_OKX_SECRET.replace('CA', 'CB')}\n${CANARY_OKX_PASSPHRASE}x\n`,
    );
    await run(
      ['set', 'bybit', '--profile', 'bad'],
      `${CANARY_BYBIT_KEY}\n ${CANARY_BYBIT_SECRET}\n`,
    );

    const all = outputs.join('\n');
    // The commands did run and report (so an empty output cannot pass this test).
    expect(all).toContain('BYBIT_API_SECRET, BYBIT_BOT2_API_SECRET hold the same value');
    expect(all).toContain('debug.log:1');
    expect(all).toContain('network');
    for (const secret of SECRETS) expect(leakedFragments(all, secret), secret).toEqual([]);
    for (const file of [...filesUnder(project.dir), ...filesUnder(project.home)]) {
      if (file.path === envFile || file.path.endsWith('debug.log')) continue;
      for (const secret of SECRETS)
        expect(leakedFragments(file.content, secret), file.path).toEqual([]);
    }
  });
});
