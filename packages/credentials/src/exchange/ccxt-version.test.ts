import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXCHANGES } from '../exchanges.js';
import { CCXT_VERSION, ccxtSource } from './ccxt-loader.js';

const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const manifest = (name: string) =>
  JSON.parse(readFileSync(join(packages, name, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };

describe('the one ccxt version', () => {
  it('is an exact version, which ccxtSource hands to the loader', () => {
    expect(CCXT_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const importAll = async () => ({});
    expect(ccxtSource('file:///x/index.js', importAll)).toEqual({
      version: CCXT_VERSION,
      packageUrl: 'file:///x/index.js',
      importAll,
    });
  });

  it.each(Object.keys(EXCHANGES))('is the exact ccxt dependency of @exkeys/%s', (id) => {
    const pkg = manifest(id);
    expect(pkg.name).toBe(`@exkeys/${id}`);
    // Exact: a range would let another ccxt in, and then the whole of ccxt loads.
    expect(pkg.dependencies?.ccxt).toBe(CCXT_VERSION);
  });

  it('is the ccxt the sandbox and the kit tests run against', () => {
    expect(manifest('sandbox').devDependencies?.ccxt).toBe(CCXT_VERSION);
    expect(manifest('credentials').devDependencies?.ccxt).toBe(CCXT_VERSION);
    // The core only tests against ccxt: it never depends on it.
    expect(manifest('credentials').dependencies?.ccxt).toBeUndefined();
  });
});
