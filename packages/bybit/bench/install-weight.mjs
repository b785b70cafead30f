// Install weight: what `npm i @exkeys/bybit` costs a Bybit-only bot, against the baseline it cannot
// avoid (`npm i ccxt dotenv`). Both are installed with npm into fresh folders from packed tarballs
// (pnpm pack rewrites workspace: ranges); sizes are the bytes and files under node_modules.
// Needs the npm registry (or npm's cache); prints "skipped: …" when an install fails.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..');

function weigh(dir) {
  let bytes = 0;
  let files = 0;
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        bytes += statSync(full).size;
        files += 1;
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return { bytes, files };
}

function project(dependencies) {
  const dir = mkdtempSync(join(tmpdir(), 'exkeys-weight-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'weight', private: true, dependencies }),
  );
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    {
      cwd: dir,
      stdio: 'ignore',
    },
  );
  return dir;
}

const work = mkdtempSync(join(tmpdir(), 'exkeys-weight-pack-'));
const dirs = [work];
try {
  const pnpm = ['-y', 'pnpm@10.34.9', 'pack', '--pack-destination', work];
  for (const pkg of ['credentials', 'bybit']) {
    execFileSync('npx', pnpm, { cwd: join(packages, pkg), stdio: 'ignore' });
  }
  const tarball = (name) =>
    join(
      work,
      readdirSync(work).find((f) => f.startsWith(`exkeys-${name}-`)),
    );
  const bybitVersion = JSON.parse(readFileSync(join(packages, 'bybit', 'package.json'), 'utf8'));
  const ccxtVersion = bybitVersion.dependencies.ccxt;
  const dotenvVersion = JSON.parse(
    readFileSync(join(packages, 'credentials', 'package.json'), 'utf8'),
  ).dependencies.dotenv;
  const ours = project({
    '@exkeys/bybit': `file:${tarball('bybit')}`,
    '@exkeys/credentials': `file:${tarball('credentials')}`,
  });
  const baseline = project({ ccxt: ccxtVersion, dotenv: dotenvVersion });
  dirs.push(ours, baseline);
  const a = weigh(ours);
  const b = weigh(baseline);
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  console.log(
    `${'npm i @exkeys/bybit: bytes'.padEnd(44)} ${(a.bytes / b.bytes).toFixed(2)}× npm i ccxt dotenv  (goal ≤1.10; ${mb(a.bytes)} vs ${mb(b.bytes)})`,
  );
  console.log(
    `${'npm i @exkeys/bybit: files'.padEnd(44)} ${(a.files / b.files).toFixed(2)}× npm i ccxt dotenv  (informational: zod adds ~840 files; ${a.files} vs ${b.files})`,
  );
} catch (error) {
  console.log(`install weight: skipped: npm could not install (${error.message.split('\n')[0]})`);
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
