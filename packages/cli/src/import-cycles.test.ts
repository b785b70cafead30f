import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

// Every way a module names another: `import … from`, `export … from` (type-only ones too, as they
// still tie the files together), bare `import '…'`, and dynamic `import('…')`.
const SPECIFIERS = [
  /\bfrom\s+['"]([^'"]+)['"]/g,
  /^\s*import\s+['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

// Test files are left out: nothing imports a test file, so none can be on a cycle (and their
// fixtures, like this file's, hold import statements as text).
function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(path);
  }
  return files;
}

/** The `.ts` file a relative specifier names, or throws: an import the walker cannot follow fails. */
function resolveSpecifier(from: string, specifier: string): string {
  const base = join(dirname(from), specifier);
  for (const candidate of [
    base.replace(/\.js$/, '.ts'),
    base,
    `${base}.ts`,
    join(base, 'index.ts'),
  ]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return candidate;
  }
  throw new Error(`${from} imports ${specifier}, which resolves to no .ts file`);
}

/** Each file under `dir` with the files it imports (relative imports only). */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const pattern of SPECIFIERS) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1] ?? '';
        if (specifier.startsWith('./') || specifier.startsWith('../')) {
          targets.add(resolveSpecifier(file, specifier));
        }
      }
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the files along it (first file repeated last). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const seen = state.get(next);
      if (seen === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (seen === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('CLI import graph', () => {
  it('has no cycle, counting type-only and dynamic imports', () => {
    const graph = importGraph(SRC);
    // The walker did see the graph: the lazy command imports and the options module.
    const edges = (file: string) =>
      (graph.get(join(SRC, file)) ?? []).map((to) => relative(SRC, to));
    expect(graph.size).toBeGreaterThan(25);
    expect(edges('program.ts')).toContain('commands/list.ts');
    expect(edges('program.ts')).toContain('commands/doctor/index.ts');
    expect(edges('program.ts')).toContain('options.ts');
    expect(edges('store-selection.ts')).toContain('keystore.ts');
    const cycles = findCycles(graph).map((cycle) =>
      cycle.map((file) => relative(SRC, file)).join(' → '),
    );
    expect(cycles).toEqual([]);
  });

  it('no command imports program.ts or another command', () => {
    const graph = importGraph(SRC);
    const offending: string[] = [];
    for (const [file, targets] of graph) {
      const from = relative(SRC, file);
      if (!from.startsWith('commands/')) continue;
      const own = from.startsWith('commands/doctor/') ? 'commands/doctor/' : from;
      for (const target of targets.map((to) => relative(SRC, to))) {
        const otherCommand = target.startsWith('commands/') && !target.startsWith(own);
        if (target === 'program.ts' || otherCommand) offending.push(`${from} → ${target}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('the walker finds a cycle through a dynamic import and a type-only import (control)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exkeys-cycles-'));
    try {
      mkdirSync(join(dir, 'commands'));
      writeFileSync(join(dir, 'a.ts'), "export const run = () => import('./commands/b.js');\n");
      writeFileSync(
        join(dir, 'commands', 'b.ts'),
        "import type {\n  A,\n} from '../c.js';\nexport type B = A;\n",
      );
      writeFileSync(join(dir, 'c.ts'), "export { run as A } from './a.js';\n");
      writeFileSync(join(dir, 'd.ts'), "import './c.js';\n");
      const cycles = findCycles(importGraph(dir)).map((cycle) =>
        cycle.map((file) => relative(dir, file)).join(' → '),
      );
      expect(cycles).toEqual(['a.ts → commands/b.ts → c.ts → a.ts']);
      writeFileSync(join(dir, 'c.ts'), 'export type A = string;\n');
      expect(findCycles(importGraph(dir))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
