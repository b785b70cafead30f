import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const built = existsSync(join(dist, 'testing', 'index.js'));
if (!built) console.warn(`skipped: the built test kit: run the build first (no ${dist}/testing)`);

/** The module specifiers a built file imports, statically or dynamically. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the ./testing entry point', () => {
  it('is exported with types and a default, and needs vitest only as an optional peer', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(manifest.exports['./testing']).toEqual({
      types: './dist/testing/index.d.ts',
      default: './dist/testing/index.js',
    });
    expect(manifest.peerDependencies.vitest).toMatch(/\S/);
    expect(manifest.peerDependenciesMeta.vitest).toEqual({ optional: true });
    expect(manifest.dependencies.vitest).toBeUndefined();
  });

  it.skipIf(!built)(
    'is built apart: it reaches the runtime through the package entries and copies none of it',
    () => {
      const kit = importsOf(join(dist, 'testing', 'index.js'));
      // Control: the scan reads the kit's real imports.
      expect(kit).toContain('vitest');
      expect(kit).toContain('@exkeys/credentials');
      const others = kit.filter((id) => !id.startsWith('node:') && id !== 'vitest');
      for (const id of others)
        expect(['@exkeys/credentials', '@exkeys/credentials/exchange']).toContain(id);
      const text = readFileSync(join(dist, 'testing', 'index.js'), 'utf8');
      expect(text).toContain('function describeExchangePackage');
      // Runtime code stays in the runtime bundle: not one of its definitions is in the kit.
      expect(text).not.toMatch(/class \w*Error\b|function (getCredentials|redactText|maskKey)\b/);
      expect(existsSync(join(dist, 'testing', 'index.d.ts'))).toBe(true);
      expect(readFileSync(join(dist, 'testing', 'exchange-suite.d.ts'), 'utf8')).toContain(
        'export declare function describeExchangePackage',
      );
    },
  );

  it.skipIf(!built)('is never reached from the runtime bundle, which never loads vitest', () => {
    const runtime = jsFiles(dist).filter((file) => !file.includes(`${join(dist, 'testing')}`));
    expect(runtime.map((file) => file.slice(dist.length + 1))).toEqual(
      expect.arrayContaining(['index.js', join('exchange', 'index.js')]),
    );
    for (const file of runtime) {
      expect(
        importsOf(file).filter((id) => /vitest|testing/.test(id)),
        file,
      ).toEqual([]);
      expect(readFileSync(file, 'utf8')).not.toContain('describeExchangePackage');
    }
  });
});
