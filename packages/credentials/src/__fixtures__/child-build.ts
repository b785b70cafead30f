// Child processes (other D-Bus sessions, concurrent writers, SIGKILL victims) must run the real store
// code as plain JavaScript. This transpiles an entry file and its relative imports from src/ into a
// temp dir whose node_modules links to the package's, so bare imports resolve as in dist/.
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
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

/** Options of {@link buildForChild}. */
export interface ChildBuildOptions {
  /**
   * Packages (e.g. `age-encryption`) left out of the child's node_modules, so that importing them
   * fails exactly as it does where they are not installed.
   */
  without?: readonly string[];
  /**
   * Packages replaced by a one-file ES module with this source (`index.js`), e.g. one that throws
   * when imported, to prove a code path never imports them. Implies a node_modules of links.
   */
  replace?: Readonly<Record<string, string>>;
}

export async function buildForChild(
  entries: readonly string[],
  options: ChildBuildOptions = {},
): Promise<ChildBuild> {
  const dir = await mkdtemp(join(tmpdir(), 'exkeys-child-'));
  const replace = options.replace ?? {};
  if (options.without === undefined && options.replace === undefined) {
    await symlink(join(pkg, 'node_modules'), join(dir, 'node_modules'), 'dir');
  } else {
    const modules = join(dir, 'node_modules');
    await linkPackages(modules, [...(options.without ?? []), ...Object.keys(replace)]);
    for (const [name, source] of Object.entries(replace)) {
      await mkdir(join(modules, name), { recursive: true });
      await writeFile(
        join(modules, name, 'package.json'),
        JSON.stringify({ name, type: 'module', exports: './index.js' }),
      );
      await writeFile(join(modules, name, 'index.js'), source);
    }
  }
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

// A node_modules of links to the package's own dependencies, minus `without`.
async function linkPackages(target: string, without: readonly string[]): Promise<void> {
  const from = join(pkg, 'node_modules');
  const names: string[] = [];
  for (const entry of await readdir(from)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const scoped of await readdir(join(from, entry))) names.push(`${entry}/${scoped}`);
    } else names.push(entry);
  }
  for (const name of names) {
    if (without.includes(name)) continue;
    await mkdir(dirname(join(target, name)), { recursive: true });
    await symlink(await realpath(join(from, name)), join(target, name), 'dir');
  }
}
