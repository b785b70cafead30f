/**
 * Adding lines to a project's `.gitignore` without disturbing what is there, for `init` and
 * `sandbox --write-env`.
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises';

/** Appends the missing `lines` to the `.gitignore` at `path`. Returns the lines added. */
export async function ensureIgnored(path: string, lines: readonly string[]): Promise<string[]> {
  let current = '';
  try {
    current = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const present = new Set(current.split(/\r?\n/).map((line) => line.trim()));
  const missing = lines.filter((line) => !present.has(line));
  if (missing.length === 0) return [];
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  const header = present.has('# exkeys: files holding secrets')
    ? ''
    : '# exkeys: files holding secrets\n';
  await writeFile(path, `${current}${separator}${header}${missing.join('\n')}\n`);
  return missing;
}
