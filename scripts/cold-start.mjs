// The cold-start figure of `pnpm bench` for an exchange package: a fresh process running the three
// steps on a temp .env and building the package's client, against a fresh process doing
// `import ccxt` + `new ccxt.<id>`. The two alternate, one warm-up each, then the median of 9.
// Timings on a shared 2-core machine are noisy: read the ratios, not the absolute times.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Measures and prints the cold start of `createClient` of the package at `packageUrl`.
 * `env` holds the variables of one key, `ccxtCredentials` the same key as ccxt options.
 */
export function coldStart({
  id,
  factory,
  credentialsUrl,
  packageUrl,
  ccxtUrl,
  env,
  ccxtCredentials,
  dir,
  line,
}) {
  const envFile = join(dir, `${id}.env`);
  writeFileSync(
    envFile,
    Object.entries(env)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
    { mode: 0o600 },
  );
  const exkeysChild = join(dir, `exkeys-${id}.mjs`);
  writeFileSync(
    exkeysChild,
    `import { loadApiKeys, validateCredentials, getCredentials } from ${JSON.stringify(credentialsUrl)};
import { ${factory} } from ${JSON.stringify(packageUrl)};
const env = {};
await loadApiKeys({ envFile: ${JSON.stringify(envFile)}, target: env });
if (!validateCredentials('${id}', { env }).valid) process.exit(1);
const client = await ${factory}(getCredentials('${id}', { env }));
if (client.id !== '${id}') process.exit(1);
console.log(process.resourceUsage().maxRSS);
`,
  );
  const ccxtChild = join(dir, `ccxt-${id}.mjs`);
  writeFileSync(
    ccxtChild,
    `import ccxt from ${JSON.stringify(ccxtUrl)};
const client = new ccxt.${id}(JSON.parse(process.env.CREDENTIALS));
if (client.id !== '${id}') process.exit(1);
console.log(process.resourceUsage().maxRSS);
`,
  );
  const run = (script) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, CREDENTIALS: JSON.stringify(ccxtCredentials) },
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr}`);
    return { ms, rssKiB: Number(result.stdout.trim()) };
  };
  const cold = { exkeys: [], ccxt: [] };
  run(exkeysChild);
  run(ccxtChild);
  for (let i = 0; i < 9; i++) {
    cold.exkeys.push(run(exkeysChild));
    cold.ccxt.push(run(ccxtChild));
  }
  const coldMs = (side) => median(cold[side].map((r) => r.ms));
  const coldRss = (side) => median(cold[side].map((r) => r.rssKiB));
  console.log(
    `cold start: exkeys ${coldMs('exkeys').toFixed(0)} ms / ${(coldRss('exkeys') / 1024).toFixed(0)} MiB, ` +
      `ccxt ${coldMs('ccxt').toFixed(0)} ms / ${(coldRss('ccxt') / 1024).toFixed(0)} MiB (median of 9)`,
  );
  line(
    'cold start to a ready client, wall time',
    coldMs('exkeys') / coldMs('ccxt'),
    `vs import ccxt + new ccxt.${id}`,
    '≤0.5×',
  );
  line(
    'cold start to a ready client, peak RSS',
    coldRss('exkeys') / coldRss('ccxt'),
    `vs import ccxt + new ccxt.${id}`,
    '≤0.65×',
  );
}
