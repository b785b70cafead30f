// `pnpm bench` for @exkeys/credentials. Prints ratios against named baselines, measured in one run.
// Timings on a shared 2-core machine are noisy: read the ratios, not the absolute times.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist', 'index.js');
const { parse } = createRequire(import.meta.url)('dotenv');
const { saveApiKeys } = await import(dist);
const dir = mkdtempSync(join(tmpdir(), 'exkeys-bench-'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (ns) => Number(ns) / 1e6;
const line = (name, ratio, baseline, goal) =>
  console.log(
    `${name.padEnd(44)} ${ratio.toFixed(2)}× ${baseline}${goal ? `  (goal ${goal})` : ''}`,
  );

// 1. Start-up: a fresh process importing the package and running the three steps on a
// three-exchange .env, against a bare `node -e ''`. Alternated so both see the same machine load.
const envFile = join(dir, 'three.env');
writeFileSync(
  envFile,
  [
    'BYBIT_API_KEY=AbCdEf0123456789Gh',
    'BYBIT_API_SECRET=benchSecret0123456789abcdefghijklmnop',
    `BINANCE_API_KEY=${'k'.repeat(64)}`,
    `BINANCE_API_SECRET=${'s'.repeat(64)}`,
    'OKX_API_KEY=1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f',
    'OKX_API_SECRET=0123456789ABCDEF0123456789ABCDEF',
    'OKX_API_PASSPHRASE=bench-passphrase',
    '',
  ].join('\n'),
);
const child = join(dir, 'three-steps.mjs');
writeFileSync(
  child,
  `import { loadApiKeys, validateCredentials, getCredentials } from ${JSON.stringify(dist)};
const env = {};
await loadApiKeys({ envFile: ${JSON.stringify(envFile)}, target: env });
for (const ex of ['bybit', 'binance', 'okx']) {
  if (!validateCredentials(ex, { env }).valid) process.exit(1);
  getCredentials(ex, { env });
}
`,
);
const time = (args) => {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`benchmark child failed: node ${args.join(' ')}`);
  return ms(process.hrtime.bigint() - start);
};
const bare = [];
const steps = [];
time(['-e', '']);
time([child]);
for (let i = 0; i < 21; i++) {
  bare.push(time(['-e', '']));
  steps.push(time([child]));
}
console.log(
  `start-up medians: three steps ${median(steps).toFixed(1)} ms, bare node ${median(bare).toFixed(1)} ms`,
);
line(
  'start-up: import + three steps (3 exchanges)',
  median(steps) / median(bare),
  "vs bare `node -e ''`",
  '≤ 1.5×',
);

// 2. saveApiKeys on a 10,000-line .env, against dotenv.parse of the same file.
const big = join(dir, 'big.env');
const lines = [];
for (let i = 0; i < 10_000; i++) {
  lines.push(i % 10 === 0 ? `# section ${i}` : `VAR_${i}="value number ${i} with some text"`);
}
lines[5_000] = 'BYBIT_API_KEY=old';
writeFileSync(big, `${lines.join('\n')}\n`);
const work = join(dir, 'work.env');
const text = readFileSync(big, 'utf8');
const saves = [];
const parses = [];
for (let i = 0; i < 15; i++) {
  copyFileSync(big, work);
  let start = process.hrtime.bigint();
  await saveApiKeys(
    'bybit',
    { apiKey: `AbCdEf0123456789G${i % 10}`, apiSecret: 'benchSecret' },
    { envFile: work },
  );
  saves.push(ms(process.hrtime.bigint() - start));
  start = process.hrtime.bigint();
  parse(text);
  parses.push(ms(process.hrtime.bigint() - start));
}
line(
  'saveApiKeys on a 10,000-line .env',
  median(saves) / median(parses),
  'vs dotenv.parse of the same file',
);
rmSync(dir, { recursive: true, force: true });

// 3. The age keystore's own figures, when that bench is present.
const age = join(here, 'age.mjs');
if (existsSync(age)) execFileSync(process.execPath, ['--no-warnings', age], { stdio: 'inherit' });

// 4. Store reads: list scaling and the age keystore load against the age CLI.
execFileSync(process.execPath, ['--no-warnings', join(here, 'stores.mjs')], { stdio: 'inherit' });
