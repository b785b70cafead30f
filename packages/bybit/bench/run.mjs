// `pnpm bench` for @exkeys/bybit. Prints ratios against named baselines, measured in one run.
// Timings on a shared 2-core machine are noisy: read the ratios, not the absolute times.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..');
const dist = (pkg, file = 'index.js') => pathToFileURL(join(packages, pkg, 'dist', file)).href;
// The dependency-free exchange packages may not have been built by `turbo run bench`.
for (const pkg of ['binance', 'okx']) {
  if (!existsSync(join(packages, pkg, 'dist', 'index.js'))) {
    execFileSync(process.execPath, [
      join(packages, '..', 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(packages, pkg, 'tsconfig.build.json'),
    ]);
  }
}
const ccxtUrl = import.meta.resolve('ccxt');
const { coldStart } = await import(
  pathToFileURL(join(packages, '..', 'scripts', 'cold-start.mjs')).href
);
const { getCredentials } = await import(dist('credentials'));
const { verifyAll } = await import(dist('credentials', 'exchange/index.js'));
const { startSandbox } = await import(dist('sandbox'));
const { createBybitClient, verifyBybitKey } = await import(dist('bybit'));
const { verifyBinanceKey } = await import(dist('binance'));
const { verifyOkxKey } = await import(dist('okx'));
const ccxt = (await import(ccxtUrl)).default;

const dir = mkdtempSync(join(tmpdir(), 'exkeys-bybit-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const line = (name, ratio, baseline, goal) =>
  console.log(`${name.padEnd(44)} ${ratio.toFixed(2)}× ${baseline}  (goal ${goal})`);

const keys = {
  bybit: { apiKey: 'benchBybitKey00001', apiSecret: 'benchBybitSecret0123456789abcdefghijkl' },
  binance: { apiKey: 'b'.repeat(64), apiSecret: 's'.repeat(64) },
  okx: {
    apiKey: '1a2b3c4d-1a2b-4a2b-8a2b-1a2b3c4d5e6f',
    apiSecret: '0123456789ABCDEF0123456789ABCDEF',
    passphrase: 'bench-passphrase',
  },
};
const env = {
  BYBIT_API_KEY: keys.bybit.apiKey,
  BYBIT_API_SECRET: keys.bybit.apiSecret,
  BINANCE_API_KEY: keys.binance.apiKey,
  BINANCE_API_SECRET: keys.binance.apiSecret,
  OKX_API_KEY: keys.okx.apiKey,
  OKX_API_SECRET: keys.okx.apiSecret,
  OKX_API_PASSPHRASE: keys.okx.passphrase,
};

// 1. Cold start to a ready client (scripts/cold-start.mjs).
coldStart({
  id: 'bybit',
  factory: 'createBybitClient',
  credentialsUrl: dist('credentials'),
  packageUrl: dist('bybit'),
  ccxtUrl,
  env: { BYBIT_API_KEY: keys.bybit.apiKey, BYBIT_API_SECRET: keys.bybit.apiSecret },
  ccxtCredentials: { apiKey: keys.bybit.apiKey, secret: keys.bybit.apiSecret },
  dir,
  line,
});

// 2. Per-request overhead: fetchTicker throughput of a factory-built client against a raw ccxt
// client on the sandbox, in alternating rounds. ccxt's rate limiter is off on both, or it would be
// the only thing measured.
const sandbox = await startSandbox({
  keys: [
    { exchange: 'bybit', ...keys.bybit },
    { exchange: 'binance', ...keys.binance },
    { exchange: 'okx', ...keys.okx },
  ],
});
const creds = getCredentials('bybit', { env });
const factory = await createBybitClient(creds, {
  baseUrl: sandbox.url,
  ccxt: { enableRateLimit: false },
});
const raw = new ccxt.bybit({
  apiKey: keys.bybit.apiKey,
  secret: keys.bybit.apiSecret,
  enableRateLimit: false,
});
for (const group of Object.keys(raw.urls.api)) raw.urls.api[group] = sandbox.url;
await factory.loadMarkets();
await raw.loadMarkets();
const perSecond = async (client, calls) => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await client.fetchTicker('BTC/USDT');
  return calls / (Number(process.hrtime.bigint() - start) / 1e9);
};
await perSecond(factory, 300);
await perSecond(raw, 300);
// Short paired rounds in ABBA order, so neither client always runs first (warm caches, GC debt
// from the other one), and the median of the per-pair ratios: load from other processes on the
// machine drifts slowly, and a pair measured back to back sees the same load.
const rates = { factory: [], raw: [] };
const ratios = [];
for (let round = 0; round < 40; round++) {
  const factoryFirst = round % 4 === 0 || round % 4 === 3;
  const pair = {};
  for (const name of factoryFirst ? ['factory', 'raw'] : ['raw', 'factory']) {
    pair[name] = await perSecond(name === 'raw' ? raw : factory, 100);
    rates[name].push(pair[name]);
  }
  ratios.push(pair.factory / pair.raw);
}
console.log(
  `fetchTicker: factory ${median(rates.factory).toFixed(0)}/s, raw ccxt ${median(rates.raw).toFixed(0)}/s (40 ABBA pairs of 100 calls)`,
);
line(
  'per-request throughput',
  median(ratios),
  'vs a raw ccxt client (median pair ratio)',
  '≥0.97×',
);
await sandbox.close();

// 3. Concurrent verification: the three exchanges at once against the slowest single one, with
// 200 ms of imitated latency per response.
const slow = await startSandbox({
  latencyMs: 200,
  keys: [
    { exchange: 'bybit', ...keys.bybit },
    { exchange: 'binance', ...keys.binance },
    { exchange: 'okx', ...keys.okx },
  ],
});
const options = { baseUrl: slow.url };
const verifiers = {
  bybit: () => verifyBybitKey(getCredentials('bybit', { env }), options),
  binance: () => verifyBinanceKey(getCredentials('binance', { env }), options),
  okx: () => verifyOkxKey(getCredentials('okx', { env }), options),
};
const timed = async (fn) => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
await verifyAll(verifiers);
const singles = [];
const together = [];
for (let round = 0; round < 5; round++) {
  const each = [];
  for (const verify of Object.values(verifiers)) each.push(await timed(verify));
  singles.push(Math.max(...each));
  together.push(
    await timed(async () => {
      const results = await verifyAll(verifiers);
      if (!Object.values(results).every((r) => r.ok)) throw new Error('a verification failed');
    }),
  );
}
await slow.close();
console.log(
  `verification at 200 ms latency: three at once ${median(together).toFixed(0)} ms, slowest single ${median(singles).toFixed(0)} ms (median of 5)`,
);
line(
  'three verifications at once',
  median(together) / median(singles),
  'vs the slowest single one',
  '≤1.3×',
);
rmSync(dir, { recursive: true, force: true });
