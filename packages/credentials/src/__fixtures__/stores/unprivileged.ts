// Permission tests need a process that file modes apply to. CI runs as root, which reads any file,
// so there the store runs in a child process dropped to nobody (uid/gid 65534) with util-linux's
// setpriv; as any other user the child runs as that user. Nobody may not be able to enter the
// checkout (root's home is 0700), so everything the child runs is copied into the world-readable
// temp dir first: the child script, the transpiled store and the packages it imports.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { chmod, copyFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildForChild } from '../child-build.js';

const NOBODY = '65534';
const CHILD = fileURLToPath(new URL('unprivileged-child.mjs', import.meta.url));
const isRoot = process.getuid?.() === 0;
const PACKAGE_NODE_MODULES = resolve(dirname(CHILD), '../../../node_modules');

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Copies package `name` (as `from` resolves it) and its dependencies into `into`, dereferenced. */
function copyPackage(name: string, from: string, into: string, done: Set<string>): void {
  if (done.has(name)) return;
  done.add(name);
  const real = realpathSync(join(from, name));
  cpSync(real, join(into, name), { recursive: true, dereference: true });
  const manifest = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  // pnpm puts a package's dependencies beside it, in the node_modules that holds it.
  const holder = real.slice(0, real.length - name.length - 1);
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    copyPackage(dependency, holder, into, done);
  }
}

/**
 * Replaces a child build's `node_modules` link into the checkout (which another user cannot enter
 * when the checkout is 0700, as root's home is) with copies of the packages its files import.
 */
export async function copyModulesOutOfCheckout(buildDir: string): Promise<void> {
  const modules = join(buildDir, 'node_modules');
  await rm(modules, { force: true });
  const done = new Set<string>();
  for (const name of bareImports(join(buildDir, 'out'))) {
    copyPackage(name, PACKAGE_NODE_MODULES, modules, done);
  }
}

/** The bare imports of the transpiled files under `dir`. */
function bareImports(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const code = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    // `from '…'`, `import('…')`, `require('…')` and `createRequire(…)('…')`.
    for (const match of code.matchAll(/(?:from|import\(|require\(|\)\()\s*'([^.'/][^']*)'/g)) {
      const specifier = match[1] ?? '';
      if (!specifier.startsWith('node:')) names.add(packageName(specifier));
    }
  }
  return names;
}

/** What the child printed: the names read, or the error's fields and printed forms. */
export interface UnprivilegedRead {
  uid: number | null;
  ok: boolean;
  names?: string[];
  name?: string;
  code?: string;
  message?: string;
  /** message, stack, `util.inspect` and `JSON.stringify` of the error. */
  printed?: string[];
}

let unavailable: string | undefined | null = null;

/** Why a permission test cannot run here (printed with the skip), or `undefined` when it can. */
export function unprivilegedUnavailable(): string | undefined {
  if (unavailable !== null) return unavailable;
  if (process.platform === 'win32')
    return (unavailable = 'POSIX file modes do not apply on Windows');
  if (!isRoot) return (unavailable = undefined);
  const probe = spawnSync(
    'setpriv',
    [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      '--clear-groups',
      process.execPath,
      '-e',
      'process.stdout.write(String(process.getuid()))',
    ],
    { encoding: 'utf8' },
  );
  unavailable =
    probe.stdout === NOBODY
      ? undefined
      : `running as root and cannot drop to uid ${NOBODY} with setpriv (util-linux): ${probe.error?.message ?? probe.stderr.trim()}`;
  return unavailable;
}

/**
 * Runs `readAll()` of `factory(path)` from the source module `entry` (relative to src/) in a child
 * process that file permissions apply to. `reachable` are directories the child must traverse; they
 * are opened to others (0755) for it.
 */
export async function readAllUnprivileged(
  entry: string,
  factory: string,
  path: string,
  reachable: readonly string[],
): Promise<UnprivilegedRead> {
  const build = await buildForChild([entry]);
  try {
    await copyModulesOutOfCheckout(build.dir);
    const child = join(build.dir, 'unprivileged-child.mjs');
    await copyFile(CHILD, child);
    for (const dir of [build.dir, ...reachable]) await chmod(dir, 0o755);
    const command = [process.execPath, child, build.module(entry), factory, path];
    const [file, ...args] = isRoot
      ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...command]
      : command;
    const { stdout } = await promisify(execFile)(file!, args, { encoding: 'utf8' });
    return JSON.parse(stdout) as UnprivilegedRead;
  } finally {
    await build.dispose();
  }
}
