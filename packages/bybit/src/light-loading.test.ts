import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CcxtSource, loadExchangeClass } from '@exkeys/credentials/exchange';
import { describeLightLoading } from '@exkeys/credentials/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CCXT_VERSION } from './index.js';

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

describeLightLoading({
  exchange: 'bybit',
  packageName: '@exkeys/bybit',
  factory: 'createBybitClient',
  ccxtVersion: CCXT_VERSION,
  testUrl: import.meta.url,
  importCcxt: () => import('ccxt'),
  env: {
    BYBIT_API_KEY: 'abcdefghijklmnopqr',
    BYBIT_API_SECRET: 'abcdefghijklmnopqrstuvwxyz0123456789',
  },
});

describe('the ccxt loader falls back to the full module', () => {
  it.each([
    [
      'another ccxt version',
      { name: 'ccxt', version: '4.0.0' },
      /found ccxt 4\.0\.0, expected 4\.5\.84/,
    ],
    [
      'the pinned version with another layout',
      { name: 'ccxt', version: CCXT_VERSION },
      /js\/src\/bybit\.js not found/,
    ],
  ])('falls back to the full module, with one warning, for %s', async (_case, manifest, why) => {
    const root = mkdtempSync(join(temp, 'root-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify(manifest));
    const warnings = captureWarnings();
    const { Exchange, via } = await loadExchangeClass('bybit', { ...source, root });
    await new Promise((resolve) => setImmediate(resolve));
    warnings.stop();
    expect(via).toBe('full');
    expect(warnings.lines).toHaveLength(1);
    expect(warnings.lines[0]).toMatch(why);
    expect(Exchange).toBe((await import('ccxt')).bybit);
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
    const { via } = await loadExchangeClass('bybit', moved);
    await new Promise((resolve) => setImmediate(resolve));
    warnings.stop();
    expect(via).toBe('full');
    expect(warnings.lines[0]).toMatch(/root not found/);
  });
});
