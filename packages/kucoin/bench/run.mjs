// `pnpm bench` for @exkeys/kucoin: the cold start to a ready client against `import ccxt` +
// `new ccxt.kucoin` (scripts/cold-start.mjs). Prints ratios; read them, not the absolute times.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..');
const dist = (pkg) => pathToFileURL(join(packages, pkg, 'dist', 'index.js')).href;
const { coldStart } = await import(
  pathToFileURL(join(packages, '..', 'scripts', 'cold-start.mjs')).href
);
const line = (name, ratio, baseline, goal) =>
  console.log(`${name.padEnd(44)} ${ratio.toFixed(2)}× ${baseline}  (goal ${goal})`);

// Obviously fake values in KuCoin's shapes: a 24-hex key, a UUID secret, a passphrase.
const key = {
  apiKey: 'be0c0000be0c0000be0c0001',
  apiSecret: 'be0c0000-0000-4000-8000-00000000be0c',
  passphrase: 'bench-passphrase',
};
const dir = mkdtempSync(join(tmpdir(), 'exkeys-kucoin-bench-'));
try {
  coldStart({
    id: 'kucoin',
    factory: 'createKucoinClient',
    credentialsUrl: dist('credentials'),
    packageUrl: dist('kucoin'),
    ccxtUrl: import.meta.resolve('ccxt'),
    env: {
      KUCOIN_API_KEY: key.apiKey,
      KUCOIN_API_SECRET: key.apiSecret,
      KUCOIN_API_PASSPHRASE: key.passphrase,
    },
    ccxtCredentials: { apiKey: key.apiKey, secret: key.apiSecret, password: key.passphrase },
    dir,
    line,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
