import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CcxtSource, loadExchangeClass } from '@exkeys/credentials/exchange';
import { afterAll, describe, expect, it } from 'vitest';
import { CCXT_VERSION } from './index.js';

// The loader's fallbacks (another ccxt version, another layout) are shared and tested with
// @exkeys/bybit; this checks that KuCoin's module loads alone.
const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');
const source: CcxtSource = {
  version: CCXT_VERSION,
  packageUrl: import.meta.url,
  importAll: () => import('ccxt'),
};
const temp = mkdtempSync(join(tmpdir(), 'exkeys-ccxt-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('light loading of ccxt', () => {
  it('pins the ccxt version the package depends on', () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
    expect(manifest.dependencies.ccxt).toBe(CCXT_VERSION);
  });

  it('imports only js/src/kucoin.js from the installed, pinned ccxt', async () => {
    const { Exchange, via } = await loadExchangeClass('kucoin', source);
    expect(via).toBe('module');
    expect(Exchange).toBe((await import('ccxt')).kucoin);
  });

  // Checks the built package in a fresh process, where nothing else has imported ccxt.
  const dist = join(packageRoot, 'dist', 'index.js');
  it.skipIf(!existsSync(dist))(
    'never imports the ccxt root module when building a client (built dist)',
    () => {
      const log = join(temp, 'resolved.log');
      const hooks = `import { appendFileSync } from 'node:fs';
      export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
      const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
      const main = `
      import { getCredentials } from '@exkeys/credentials';
      import { createKucoinClient } from '@exkeys/kucoin';
      const env = { KUCOIN_API_KEY: '6705f5c311545b000157d3eb', KUCOIN_API_SECRET: 'f03a5284-5c39-4aaa-9b20-dea10bdcf8e3', KUCOIN_API_PASSPHRASE: 'light-loading' };
      const client = await createKucoinClient(getCredentials('kucoin', { env }));
      console.log(client.id);`;
      const out = execFileSync(
        process.execPath,
        [
          '--import',
          `data:text/javascript,${encodeURIComponent(register)}`,
          '--input-type=module',
          '-e',
          main,
        ],
        { cwd: packageRoot, encoding: 'utf8' },
      );
      expect(out.trim()).toBe('kucoin');
      const resolved = readFileSync(log, 'utf8').split('\n');
      expect(resolved.some((url) => url.endsWith('/ccxt/js/src/kucoin.js'))).toBe(true);
      expect(resolved.some((url) => url.endsWith('/ccxt/js/ccxt.js'))).toBe(false);
    },
  );
  if (!existsSync(dist))
    console.warn(`skipped the fresh-process loading test: build ${dist} first`);
});
