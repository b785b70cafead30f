// Proves the packages work the way a user gets them: packs every public package with `pnpm pack`
// (which rewrites `workspace:` ranges), scaffolds a bot with the packed @exkeys/create-bot into a
// temp folder outside the repository, installs every tarball there with npm (the registry only for
// third-party packages, from the cache when it can), then checks, in that one install:
//   - the tarballs: LICENSE, metadata, no `workspace:`, source maps that embed their sources;
//   - an ESM script doing load → validate → retrieve, a key check and a client call on the sandbox;
//   - `require()` of every package: works, or fails with Node's clear ESM error;
//   - `tsc --noEmit` with moduleResolution nodenext and bundler;
//   - `node_modules/.bin/exkeys --version` and `create-bot --version`;
//   - the generated project's `npm run build`, `npm test` and `npm run demo`, and that a one-exchange
//     Docker-secrets variant type-checks.
// Run after `pnpm build`: node scripts/pack-check.mjs [--keep]. Exits 1 on the first failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'exkeys-pack-'));
const tarballs = join(work, 'tarballs');
const started = Date.now();
let failures = 0;

function seconds() {
  return `${((Date.now() - started) / 1000).toFixed(1)}s`;
}

function check(name, fn) {
  try {
    const detail = fn();
    console.log(`pack-check: ok   ${name}${detail ? ` (${detail})` : ''} [${seconds()}]`);
  } catch (error) {
    failures++;
    console.log(
      `pack-check: FAIL ${name}\n${String(error?.stderr ?? '')}${error?.stdout ?? ''}${error?.message ?? error}`,
    );
  }
}

function run(command, args, cwd, options = {}) {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// 1. Pack.
const packages = readdirSync(join(root, 'packages'))
  .map((name) => ({ dir: join(root, 'packages', name), name }))
  .map((p) => ({ ...p, manifest: JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8')) }))
  .filter((p) => !p.manifest.private);
mkdirSync(tarballs);
const packed = new Map();
check(`pnpm pack ${packages.length} packages`, () => {
  for (const p of packages) {
    const before = new Set(readdirSync(tarballs));
    run('npx', ['-y', 'pnpm@10.34.9', 'pack', '--pack-destination', tarballs], p.dir);
    const file = readdirSync(tarballs).find((f) => !before.has(f));
    assert(file, `pnpm pack wrote no tarball for ${p.manifest.name}`);
    packed.set(p.manifest.name, join(tarballs, file));
  }
  return [...packed.values()].map((f) => relative(tarballs, f)).join(', ');
});

// 2. What is inside each tarball.
const extracted = join(work, 'extracted');
for (const [name, file] of packed) {
  check(`${name} tarball contents`, () => {
    const into = join(extracted, name.replace('/', '+'));
    mkdirSync(into, { recursive: true });
    run('tar', ['-xzf', file, '-C', into], work);
    const pkg = join(into, 'package');
    const files = run('find', ['.', '-type', 'f'], pkg).trim().split('\n');
    assert(files.includes('./LICENSE'), 'no LICENSE file');
    assert(/MIT License/.test(readFileSync(join(pkg, 'LICENSE'), 'utf8')), 'LICENSE is not MIT');
    const text = readFileSync(join(pkg, 'package.json'), 'utf8');
    assert(!text.includes('workspace:'), 'package.json still has workspace: ranges');
    const manifest = JSON.parse(text);
    for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'author', 'license']) {
      assert(manifest[field], `package.json has no ${field}`);
    }
    const maps = files.filter((f) => f.endsWith('.map'));
    for (const map of maps) {
      assert(!map.endsWith('.d.ts.map'), `${map}: a declaration map points at sources not shipped`);
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(pkg, map), 'utf8'));
      assert(
        Array.isArray(sourcesContent) &&
          sourcesContent.length === sources.length &&
          sourcesContent.every((s) => typeof s === 'string' && s.length > 0),
        `${map}: does not embed its sources (sourcesContent)`,
      );
    }
    assert(!files.some((f) => f.startsWith('./src/')), 'ships src/');
    return `${files.length} files, ${maps.length} maps with sources`;
  });
}

// 3. Scaffold with the packed create-bot (it has no dependencies), without a terminal.
const bot = join(work, 'my-bot');
check('create-bot scaffolds without a terminal', () => {
  const createBot = join(extracted, '@exkeys+create-bot', 'package', 'dist', 'bin.js');
  const out = run(
    process.execPath,
    [createBot, 'my-bot', '--exchanges', 'bybit,binance,okx,coinbase,kucoin,kraken'],
    work,
    {
      timeout: 30_000,
    },
  );
  assert(/Created/.test(out), out);
  const manifest = JSON.parse(readFileSync(join(bot, 'package.json'), 'utf8'));
  for (const [name, range] of Object.entries({
    ...manifest.dependencies,
    ...manifest.devDependencies,
  })) {
    if (name.startsWith('@exkeys/'))
      assert(range === `^${packages[0].manifest.version}`, `${name}@${range}`);
  }
  return `${readdirSync(bot).length} entries`;
});

// 4. One npm install of every tarball into the generated project.
check('npm install of the tarballs', () => {
  run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...packed.values(),
    ],
    bot,
    { timeout: 900_000 },
  );
  const lock = readFileSync(join(bot, 'package-lock.json'), 'utf8');
  assert(!/"resolved": "[^"]*\/@exkeys\//.test(lock), 'an @exkeys package came from the registry');
});

// 5. ESM: the three steps, a key check and a client call against the sandbox.
writeFileSync(
  join(bot, 'pack-esm.mjs'),
  `import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCredentials, loadApiKeys, maskKey, saveApiKeys, validateCredentials } from '@exkeys/credentials';
import { createBybitClient, verifyBybitKey } from '@exkeys/bybit';
import { createBinanceClient, verifyBinanceKey } from '@exkeys/binance';
import { createOkxClient, verifyOkxKey } from '@exkeys/okx';
import { createCoinbaseClient, verifyCoinbaseKey } from '@exkeys/coinbase';
import { createKucoinClient, verifyKucoinKey } from '@exkeys/kucoin';
import { createKrakenClient, verifyKrakenKey } from '@exkeys/kraken';
import { demoKeys, startSandbox } from '@exkeys/sandbox';

const factories = {
  bybit: [verifyBybitKey, createBybitClient],
  binance: [verifyBinanceKey, createBinanceClient],
  okx: [verifyOkxKey, createOkxClient],
  coinbase: [verifyCoinbaseKey, createCoinbaseClient],
  kucoin: [verifyKucoinKey, createKucoinClient],
  kraken: [verifyKrakenKey, createKrakenClient],
};
const sandbox = await startSandbox({ keys: demoKeys() });
if (!new URL(sandbox.url).hostname.startsWith('127.')) throw new Error('sandbox is not on loopback');
const envFile = join(await mkdtemp(join(tmpdir(), 'exkeys-pack-env-')), '.env');
try {
  for (const key of demoKeys().filter((k) => k.profile === undefined)) {
    const { apiKey, apiSecret, passphrase } = key;
    await saveApiKeys(key.exchange, { apiKey, apiSecret, ...(passphrase ? { passphrase } : {}) }, { envFile });
  }
  const env = {};
  await loadApiKeys({ envFile, target: env });
  for (const [exchange, [verify, create]] of Object.entries(factories)) {
    const check = validateCredentials(exchange, { env });
    if (!check.valid) throw new Error(exchange + ' invalid: ' + JSON.stringify(check.errors));
    const creds = getCredentials(exchange, { env });
    const report = await verify(creds, { baseUrl: sandbox.url });
    if (report.permissions.withdraw !== false) throw new Error(exchange + ': withdraw not false');
    const client = await create(creds, { baseUrl: sandbox.url });
    const balance = await client.fetchBalance();
    console.log(exchange, maskKey(creds.apiKey), 'read=' + report.permissions.read, Object.keys(balance.total ?? {}).length, 'currencies');
  }
} finally {
  await sandbox.close();
}
`,
);
check('ESM: load, validate, getCredentials, verify, client on the sandbox', () => {
  const out = run(process.execPath, ['pack-esm.mjs'], bot, { timeout: 120_000 });
  assert(/^bybit .*\n^binance .*\n^okx .*\n^coinbase .*\n^kucoin .*\n^kraken /m.test(out), out);
  for (const key of JSON.parse(
    run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { demoKeys } from '@exkeys/sandbox'; console.log(JSON.stringify(demoKeys()))",
      ],
      bot,
    ),
  )) {
    assert(
      !out.includes(key.apiSecret) && !out.includes(key.apiKey.slice(0, 7)),
      'a secret was printed',
    );
  }
  return `${out.trim().split('\n').length} exchanges`;
});

// 6. CommonJS require(): works (Node with require(esm)) or fails with Node's ESM error.
check('CommonJS require() of every package', () => {
  const results = [];
  for (const name of packed.keys()) {
    if (name === '@exkeys/create-bot') continue; // not installed: the scaffold above ran it from its tarball
    const r = spawnSync(
      process.execPath,
      ['-e', `const m = require(${JSON.stringify(name)}); console.log(Object.keys(m).length)`],
      {
        cwd: bot,
        encoding: 'utf8',
      },
    );
    if (r.status === 0) {
      assert(Number(r.stdout.trim()) > 0, `${name}: require() gave no exports`);
      results.push(`${name}: works`);
    } else {
      assert(
        /ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE|ES Module/.test(r.stderr),
        `${name}: require() failed without a clear message:\n${r.stderr}`,
      );
      results.push(`${name}: ${/ERR_REQUIRE_\w+/.exec(r.stderr)?.[0] ?? 'ES module error'}`);
    }
  }
  return results.join('; ');
});

// 7. Types, as a user's project resolves them.
writeFileSync(
  join(bot, 'pack-types.ts'),
  `import { getCredentials, loadApiKeys, type ValidatedCredentials } from '@exkeys/credentials';
import { redactError } from '@exkeys/credentials/exchange';
import { createBybitClient } from '@exkeys/bybit';
import { createBinanceClient } from '@exkeys/binance';
import { createOkxClient } from '@exkeys/okx';
import { createCoinbaseClient } from '@exkeys/coinbase';
import { createKucoinClient } from '@exkeys/kucoin';
import { createKrakenClient } from '@exkeys/kraken';
import { startSandbox } from '@exkeys/sandbox';
import { scaffold } from '@exkeys/create-bot';
import * as cli from '@exkeys/cli';

export async function main(): Promise<void> {
  await loadApiKeys({ envFile: '.env' });
  const creds = getCredentials('bybit');
  const widened: ValidatedCredentials = creds;
  void widened;
  await createBybitClient(creds);
  // @ts-expect-error a factory takes validated credentials only
  await createBinanceClient({ apiKey: 'k', apiSecret: 's' });
  void createOkxClient;
  void createCoinbaseClient;
  void createKucoinClient;
  void createKrakenClient;
  void redactError;
  void startSandbox;
  void scaffold;
  void cli;
}
`,
);
for (const [resolution, module] of [
  ['nodenext', 'nodenext'],
  ['bundler', 'preserve'],
]) {
  check(`tsc --noEmit, moduleResolution ${resolution}`, () => {
    const config = `tsconfig.${resolution}.json`;
    writeFileSync(
      join(bot, config),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module,
          moduleResolution: resolution,
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['pack-types.ts'],
      }),
    );
    const r = spawnSync(join(bot, 'node_modules', '.bin', 'tsc'), ['-p', config], {
      cwd: bot,
      encoding: 'utf8',
      timeout: 180_000,
    });
    // ccxt 4.5.84's own throttle.d.ts references an undeclared \`Num\`; every other file must be clean.
    const errors = r.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    const ours = errors.filter((line) => !line.startsWith('node_modules/ccxt/'));
    assert(r.status !== null && ours.length === 0, `${r.stdout}${r.stderr}`);
    return errors.length > 0
      ? `ignored ${errors.length} error(s) inside ccxt's own .d.ts`
      : 'clean';
  });
}

// 8. The bins.
check('node_modules/.bin/exkeys --version', () => {
  const out = run(join(bot, 'node_modules', '.bin', 'exkeys'), ['--version'], bot).trim();
  assert(out === packages.find((p) => p.name === 'cli').manifest.version, out);
  return out;
});
check('node_modules/.bin/create-bot --version', () => {
  const out = run(join(bot, 'node_modules', '.bin', 'create-bot'), ['--version'], bot).trim();
  assert(out === packages.find((p) => p.name === 'create-bot').manifest.version, out);
  return out;
});

// 9. The generated project's own scripts.
for (const script of ['build', 'test', 'demo']) {
  check(`generated project: npm run ${script}`, () => {
    const out = run('npm', ['run', script], bot, { timeout: 300_000 });
    if (script === 'test') assert(/# pass [1-9]/.test(out) && /# fail 0/.test(out), out);
    if (script === 'demo') assert(/every key behaved as expected/.test(out), out);
    return out.trim().split('\n').at(-1);
  });
}

// 10. Another choice of exchanges and store compiles too (inside the project, to reuse its install).
check('a one-exchange docker-secrets project type-checks', () => {
  const createBot = join(bot, 'node_modules', '.bin', 'create-bot');
  run(createBot, ['variant-okx', '--exchanges', 'okx', '--store', 'docker'], bot, {
    timeout: 30_000,
  });
  const variant = join(bot, 'variant-okx');
  assert(
    readFileSync(join(variant, 'compose.yaml'), 'utf8').includes('OKX_API_PASSPHRASE'),
    'compose.yaml',
  );
  run(join(bot, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', 'tsconfig.json'], variant, {
    timeout: 180_000,
  });
});

if (keep) console.log(`pack-check: kept ${work}`);
else rmSync(work, { recursive: true, force: true });
console.log(
  `pack-check: ${failures === 0 ? 'all checks passed' : `${failures} check(s) failed`} in ${seconds()}`,
);
process.exit(failures === 0 ? 0 : 1);
