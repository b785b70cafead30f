import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type CcxtSource, loadExchangeClass } from '@exkeys/credentials/exchange';
import { cdpKeySecret } from '@exkeys/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { CCXT_VERSION } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');
const source: CcxtSource = {
  version: CCXT_VERSION,
  packageUrl: import.meta.url,
  importAll: () => import('ccxt'),
};
const temp = mkdtempSync(join(tmpdir(), 'exkeys-ccxt-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

// Expected warnings are collected and asserted; Node's own printer is detached meanwhile, so they do
// not reach the test output, where they would read like a broken install.
function captureWarnings(): { lines: string[]; stop: () => void } {
  const lines: string[] = [];
  const printers = process.listeners('warning');
  for (const printer of printers) process.off('warning', printer);
  const listener = (warning: Error) => lines.push(warning.message);
  process.on('warning', listener);
  return {
    lines,
    stop: () => {
      process.off('warning', listener);
      for (const printer of printers) process.on('warning', printer);
    },
  };
}

describe('light loading of ccxt', () => {
  it('pins the ccxt version the package depends on', () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
    expect(manifest.dependencies.ccxt).toBe(CCXT_VERSION);
  });

  it('imports only js/src/coinbase.js from the installed, pinned ccxt', async () => {
    const warnings = captureWarnings();
    const { Exchange, via } = await loadExchangeClass('coinbase', source);
    await new Promise((resolve) => setImmediate(resolve));
    warnings.stop();
    expect(via).toBe('module');
    expect(warnings.lines).toEqual([]);
    const ccxt = await import('ccxt');
    expect(Exchange).toBe(ccxt.coinbase);
  });

  it.each([
    [
      'another ccxt version',
      { name: 'ccxt', version: '4.0.0' },
      /found ccxt 4\.0\.0, expected 4\.5\.84/,
    ],
    [
      'the pinned version with another layout',
      { name: 'ccxt', version: CCXT_VERSION },
      /js\/src\/coinbase\.js not found/,
    ],
  ])('falls back to the full module, with one warning, for %s', async (_case, manifest, why) => {
    const root = mkdtempSync(join(temp, 'root-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify(manifest));
    const warnings = captureWarnings();
    const { Exchange, via } = await loadExchangeClass('coinbase', { ...source, root });
    await new Promise((resolve) => setImmediate(resolve));
    warnings.stop();
    expect(via).toBe('full');
    expect(warnings.lines).toHaveLength(1);
    expect(warnings.lines[0]).toMatch(why);
    expect(Exchange).toBe((await import('ccxt')).coinbase);
  });

  it('falls back when the resolved ccxt has no package.json named ccxt above it', async () => {
    const fake = join(mkdtempSync(join(temp, 'pkg-')), 'node_modules', 'ccxt');
    mkdirSync(fake, { recursive: true });
    writeFileSync(
      join(fake, 'package.json'),
      JSON.stringify({ name: 'renamed', main: 'index.js' }),
    );
    writeFileSync(join(fake, 'index.js'), '');
    const warnings = captureWarnings();
    const moved: CcxtSource = {
      ...source,
      packageUrl: pathToFileURL(join(fake, '..', '..', 'index.js')).href,
    };
    const { via } = await loadExchangeClass('coinbase', moved);
    await new Promise((resolve) => setImmediate(resolve));
    warnings.stop();
    expect(via).toBe('full');
    expect(warnings.lines[0]).toMatch(/root not found/);
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
      import { createCoinbaseClient } from '@exkeys/coinbase';
      const env = ${JSON.stringify({ COINBASE_API_KEY: 'c0ffee00-1111-4111-8111-00000000ca11', COINBASE_API_SECRET: cdpKeySecret('exkeysLIGHTcoinbase') })};
      const client = await createCoinbaseClient(getCredentials('coinbase', { env }));
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
        {
          cwd: packageRoot,
          encoding: 'utf8',
        },
      );
      expect(out.trim()).toBe('coinbase');
      const resolved = readFileSync(log, 'utf8').split('\n');
      expect(resolved.some((url) => url.endsWith('/ccxt/js/src/coinbase.js'))).toBe(true);
      expect(resolved.some((url) => url.endsWith('/ccxt/js/ccxt.js'))).toBe(false);
    },
  );
  if (!existsSync(dist))
    console.warn(`skipped the fresh-process loading test: build ${dist} first`);
});
