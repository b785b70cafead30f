// Child processes (other D-Bus sessions, concurrent writers, SIGKILL victims) must run the real store
// code as plain JavaScript. This transpiles an entry file and its relative imports from src/ into a
// temp dir whose node_modules links to the package's, so bare imports resolve as in dist/.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(pkg, 'src');

/** A temp dir holding the transpiled closure of `entries` (paths relative to src/, `.ts`). */
export interface ChildBuild {
  /** Absolute path of the transpiled `.js` file for an entry given relative to src/. */
  module(entry: string): string;
  /** The temp dir; put child scripts here. */
  dir: string;
  dispose(): Promise<void>;
}

export async function buildForChild(entries: readonly string[]): Promise<ChildBuild> {
  const dir = await mkdtemp(join(tmpdir(), 'exkeys-child-'));
  await symlink(join(pkg, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  const done = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const code = await readFile(join(src, file), 'utf8');
    for (const match of code.matchAll(/from '(\.\.?\/[^']+)\.js'/g)) {
      pending.push(join(dirname(file), `${match[1]}.ts`));
    }
    const { outputText } = ts.transpileModule(code, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
      fileName: file,
    });
    const out = join(dir, 'out', file.replace(/\.ts$/, '.js'));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, outputText);
  }
  return {
    dir,
    module: (entry) => join(dir, 'out', entry.replace(/\.ts$/, '.js')),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
