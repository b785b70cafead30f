#!/usr/bin/env node
/**
 * `create-bot [folder] [--exchanges bybit,okx] [--store env|age|docker]`, the command behind
 * `npm create @exkeys/bot`. On a terminal it asks for what the command line left out; without one
 * it takes the defaults and never reads stdin. Exit codes: 0 done, 2 bad option or unusable folder.
 * @module
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { EXCHANGE_IDS, type ExchangeChoice, STORE_CHOICES, type StoreChoice } from './choices.js';
import { ownVersion, ScaffoldError, scaffold } from './scaffold.js';

const HELP = `Usage: npm create @exkeys/bot@latest [folder] -- [options]
       create-bot [folder] [options]

Creates a starter trading bot that keeps its exchange API keys safe with exkeys.

Options:
  --exchanges <list>  comma-separated: ${EXCHANGE_IDS.join(', ')} (default: bybit)
  --store <kind>      env (.env file), age (encrypted .env.age) or docker (Docker secrets
                      with compose.yaml) (default: env)
  -h, --help          show this help
  -v, --version       show the version

Without a terminal, the folder defaults to my-bot and nothing is asked.`;

function fail(message: string): never {
  process.stderr.write(`create-bot: ${message}\n`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      exchanges: { type: 'string' },
      store: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}
try {
  parsed = parse();
} catch (error) {
  fail(`${(error as Error).message}\nRun \`create-bot --help\` for the options.`);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
if (values.version) {
  process.stdout.write(`${ownVersion()}\n`);
  process.exit(0);
}
if (positionals.length > 1) fail(`expected one folder, got ${positionals.length}.`);

const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
let dir = positionals[0];
let exchanges = values.exchanges?.split(',').map((id) => id.trim().toLowerCase());
let store = values.store?.toLowerCase();

if (interactive && (dir === undefined || exchanges === undefined || store === undefined)) {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  rl.on('SIGINT', () => {
    process.stdout.write('\n');
    process.exit(130);
  });
  const ask = async (question: string, fallback: string) =>
    (await rl.question(`${question} (${fallback}): `)).trim() || fallback;
  dir ??= await ask('Project folder', 'my-bot');
  exchanges ??= (await ask(`Exchanges, comma-separated (${EXCHANGE_IDS.join(', ')})`, 'bybit'))
    .split(',')
    .map((id) => id.trim().toLowerCase());
  store ??= (await ask(`Store (${STORE_CHOICES.join(', ')})`, 'env')).toLowerCase();
  rl.close();
}

try {
  const result = await scaffold({
    dir: dir ?? 'my-bot',
    exchanges: (exchanges ?? ['bybit']) as ExchangeChoice[],
    store: (store ?? 'env') as StoreChoice,
  });
  const shown = dir ?? 'my-bot';
  process.stdout.write(
    [
      `Created ${result.dir} (${result.files.length} files).`,
      '',
      'Next:',
      `  cd ${shown}`,
      '  npm install',
      '  npm run demo     # the bot against the loopback sandbox exchange, offline',
      '',
    ].join('\n'),
  );
} catch (error) {
  if (error instanceof ScaffoldError) fail(error.message);
  throw error;
}
