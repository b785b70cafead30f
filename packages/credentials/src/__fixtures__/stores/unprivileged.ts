// Permission tests need a process that file modes apply to. CI runs as root, which reads any file,
// so there the store runs in a child process dropped to nobody (uid/gid 65534) with util-linux's
// setpriv; as any other user the child runs as that user.
import { execFile, spawnSync } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildForChild } from '../child-build.js';

const NOBODY = '65534';
const CHILD = fileURLToPath(new URL('unprivileged-child.mjs', import.meta.url));
const isRoot = process.getuid?.() === 0;

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
    for (const dir of [build.dir, ...reachable]) await chmod(dir, 0o755);
    const command = [process.execPath, CHILD, build.module(entry), factory, path];
    const [file, ...args] = isRoot
      ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...command]
      : command;
    const { stdout } = await promisify(execFile)(file!, args, { encoding: 'utf8' });
    return JSON.parse(stdout) as UnprivilegedRead;
  } finally {
    await build.dispose();
  }
}
