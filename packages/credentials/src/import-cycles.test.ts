import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

// Every relative module reference: `import … from`, `export … from`, `import type`, side-effect
// imports and `import('…')`. Type-only edges count too: no module may import the module that imports it.
const REFERENCE =
  /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?(?:[^;'"]*?\sfrom\s+)?['"](\.\.?\/[^'"]+)['"]|\bimport\(\s*['"](\.\.?\/[^'"]+)['"]\s*\)/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(?:ts|mts)$/.test(entry.name) ? [relative(SRC, path).split('\\').join('/')] : [];
  });
}

/** The relative imports of each file, as paths relative to src/ (`.js` specifiers map to `.ts`). */
function importGraph(files: Readonly<Record<string, string>>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of Object.entries(files)) {
    const edges = [...text.matchAll(REFERENCE)].map((match) =>
      posix
        .join(posix.dirname(file), (match[1] ?? match[2])!.replace(/\?.*$/, ''))
        .replace(/\.js$/, '.ts'),
    );
    graph.set(file, [...new Set(edges)]);
  }
  return graph;
}

/** Every cycle found by a depth-first search, each as the files along it (first repeated last). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'active');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'active') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

describe('the import graph of @exkeys/credentials', () => {
  // This file is left out: its control cases are import statements inside strings.
  const files = Object.fromEntries(
    sourceFiles(SRC)
      .filter((file) => file !== 'import-cycles.test.ts')
      .map((file) => [file, readFileSync(join(SRC, file), 'utf8')]),
  );
  const graph = importGraph(files);

  it('is read in full: every kind of import is an edge, and every edge points at a real file', () => {
    expect(graph.get('index.ts')).toContain('stores/age/age-store.ts');
    expect(graph.get('stores/age/age-store.ts')).toContain('stores/age/keystore.ts');
    expect(graph.get('stores/age/keystore.ts')).toContain('stores/age/age-file.ts');
    // `import type` edges are followed too.
    expect(graph.get('stores/age/age-file.ts')).toContain('stores/store.ts');
    const dangling = [...graph].flatMap(([file, edges]) =>
      edges.filter((edge) => !graph.has(edge)).map((edge) => `${file} → ${edge}`),
    );
    expect(dangling).toEqual([]);
  });

  it('finds a cycle where there is one (control)', () => {
    const synthetic = importGraph({
      'a.ts': "import { b } from './b.js';",
      'b.ts': "import type { C } from './sub/c.js';",
      'sub/c.ts': "export const c = () => import('../a.js');",
      'd.ts': "export { a } from './a.js';",
    });
    expect(cycles(synthetic)).toEqual([['a.ts', 'b.ts', 'sub/c.ts', 'a.ts']]);
    expect(cycles(importGraph({ 'a.ts': "import './b.js';", 'b.ts': '' }))).toEqual([]);
  });

  it('has no cycle', () => {
    expect(cycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});
