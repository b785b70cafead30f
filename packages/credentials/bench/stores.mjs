// Store read costs, as ratios measured in one run (build first: `pnpm build`).
//   listConfiguredExchanges, 3,000 profiles / 1 profile, same 10,000-line .env   (goal ≈ 1×: linear)
//   load from an age keystore, whole process / `age -d | dotenv.parse`          (goal ≤ 1.5×)
// EXKEYS_BENCH_DIST points at another build of the package (e.g. an older commit) to compare.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.EXKEYS_BENCH_DIST ?? join(here, '..', 'dist', 'index.js');
const { ageStore, listConfiguredExchanges } = await import(dist);
const dir = mkdtempSync(join(tmpdir(), 'exkeys-bench-stores-'));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const line = (name, ratio, detail, goal) =>
  console.log(`${name.padEnd(46)} ${ratio.toFixed(2)}× ${detail}${goal ? `  (goal ${goal})` : ''}`);
async function time(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// A 10,000-line .env with `profiles` exchange profiles (rotation comment, key, secret), the rest filler.
function envWith(profiles) {
  const lines = [];
  for (let i = 0; i < profiles; i++) {
    const profile = i === 0 ? '' : `P${i}_`;
    lines.push(`# exkeys:rotated-at BYBIT_${profile}API_KEY 2025-01-31T12:00:00.000Z`);
    lines.push(`BYBIT_${profile}API_KEY=AbCdEf0123456789${String(i % 100).padStart(2, '0')}`);
    lines.push(`BYBIT_${profile}API_SECRET=benchSecret${i}`);
  }
  for (let i = lines.length; i < 10_000; i++) {
    lines.push(i % 10 === 0 ? `# section ${i}` : `VAR_${i}="value number ${i} with some text"`);
  }
  return `${lines.join('\n')}\n`;
}

try {
  // 1. Listing scales with the file, not with the number of profiles in it.
  const one = join(dir, 'one.env');
  const many = join(dir, 'many.env');
  writeFileSync(one, envWith(1));
  writeFileSync(many, envWith(3_000));
  if ((await listConfiguredExchanges({ envFile: many })).length !== 3_000)
    throw new Error('list bench: expected 3,000 rows');
  const small = [];
  const large = [];
  for (let round = 0; round < ROUNDS; round++) {
    small.push(await time(() => listConfiguredExchanges({ envFile: one })));
    large.push(await time(() => listConfiguredExchanges({ envFile: many })));
  }
  line(
    'list: 3,000 profiles / 1 profile (10,000 lines)',
    median(large) / median(small),
    `${median(large).toFixed(1)} ms vs ${median(small).toFixed(1)} ms`,
    '≈ 1× (linear)',
  );

  // 2. A bot loading its keys from an age keystore, against the age CLI piped into dotenv.parse.
  const ageCli = spawnSync('age', ['--version'], { encoding: 'utf8' });
  if (ageCli.error) {
    console.log(
      'skipped: load from age keystore / `age -d | dotenv.parse` — the `age` CLI is not installed (apt-get install age)',
    );
  } else {
    const identityFile = join(dir, 'identity.txt');
    execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' });
    chmodSync(identityFile, 0o600);
    const keystore = join(dir, 'bench.env.age');
    await ageStore({ path: keystore, identityFile }).write({
      BYBIT_API_KEY: 'AbCdEf0123456789Gh',
      BYBIT_API_SECRET: 'benchSecret0123456789abcdefghijklmnop',
      OKX_API_KEY: '1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f',
      OKX_API_SECRET: '0123456789ABCDEF0123456789ABCDEF',
      OKX_API_PASSPHRASE: 'bench-passphrase',
    });
    const ours = join(dir, 'load-age.mjs');
    writeFileSync(
      ours,
      `import { ageStore, loadApiKeys } from ${JSON.stringify(dist)};
const target = {};
const result = await loadApiKeys({ stores: [ageStore({ path: ${JSON.stringify(keystore)} })], target });
if (result.injected.length !== 5) process.exit(1);
`,
    );
    const parse = join(dir, 'parse-stdin.cjs');
    writeFileSync(
      parse,
      `const { parse } = require(${JSON.stringify(join(here, '..', 'node_modules', 'dotenv'))});
let text = '';
process.stdin.setEncoding('utf8').on('data', (c) => { text += c; }).on('end', () => {
  if (Object.keys(parse(text)).length !== 5) process.exit(1);
});
`,
    );
    const env = { ...process.env, EXKEYS_AGE_IDENTITY_FILE: identityFile };
    const run = (file, args) => {
      const start = process.hrtime.bigint();
      const result = spawnSync(file, args, { stdio: 'ignore', env });
      if (result.status !== 0) throw new Error(`benchmark child failed: ${file} ${args.join(' ')}`);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const pipeline = `age -d -i '${identityFile}' '${keystore}' | '${process.execPath}' '${parse}'`;
    const loads = [];
    const baselines = [];
    run(process.execPath, [ours]);
    run('sh', ['-c', pipeline]);
    for (let round = 0; round < ROUNDS * 2; round++) {
      loads.push(run(process.execPath, [ours]));
      baselines.push(run('sh', ['-c', pipeline]));
    }
    line(
      'load from age keystore / age -d | dotenv.parse',
      median(loads) / median(baselines),
      `${median(loads).toFixed(1)} ms vs ${median(baselines).toFixed(1)} ms (whole processes)`,
      '≤ 1.5×',
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
