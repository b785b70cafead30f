/**
 * Node's own `--env-file` scan, as the bin sees it. Node (20 to at least 26) reads its whole
 * argv, the script's arguments included, for `--env-file` up to the first `--`, before any
 * JavaScript runs: it exits 9 (`node: FILE: not found`) for a file that does not exist, and applies
 * a `NODE_OPTIONS` line of an existing one to this process (measured on Node 20.20: the other
 * variables are not loaded). The bin cannot stop Node, but it refuses a file that sets
 * `NODE_OPTIONS`. `-f` is the same flag under a name Node does not scan.
 *
 * Loaded by the bin before anything else: it must not import the core.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';

const MAX_ENV_FILE_BYTES = 1024 * 1024;

/** The files Node's scan finds in `argv` (the arguments after the script), up to the first `--`. */
export function nodeEnvFiles(argv: readonly string[]): string[] {
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    if (arg === '--env-file' || arg === '--env-file-if-exists') {
      const file = argv[i + 1];
      if (file !== undefined) files.push(file);
    } else if (/^--env-file(-if-exists)?=/.test(arg)) {
      files.push(arg.slice(arg.indexOf('=') + 1));
    }
  }
  return files;
}

/** The text of a regular file of sane size, or `undefined` (the command reports such files itself). */
function readSmallFile(file: string): string | undefined {
  try {
    // /dev/zero or a FIFO would never end: only a regular file is worth a look.
    const info = statSync(file);
    if (!info.isFile() || info.size > MAX_ENV_FILE_BYTES) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The first of `files` that sets `NODE_OPTIONS`, or `undefined`. Reads only variable names. */
export function envFileSettingNodeOptions(files: readonly string[]): string | undefined {
  return files.find((file) =>
    /^[ \t]*(export[ \t]+)?NODE_OPTIONS[ \t]*[=:]/m.test(readSmallFile(file) ?? ''),
  );
}
