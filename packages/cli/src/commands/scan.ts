/**
 * `exkeys scan`: find exchange credentials in files and, with `--history`, in every commit. The store
 * in use is excluded from the working-tree scan (it is supposed to hold the keys).
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CommandFailed, EXIT, UsageError } from '../exit-codes.js';
import { gitRoot } from '../git.js';
import { configuredValues } from '../leak-rules.js';
import { plural } from '../messages.js';
import type { StoreOptions } from '../options.js';
import { type Finding, scanHistory, scanWorkingTree } from '../scanner.js';
import { loadPrivateEnv, type PrivateEnv, selectStore } from '../store-selection.js';
import { err, out, print, printError, printJson, startProgress } from '../terminal.js';

/** Options of `exkeys scan`. */
export interface ScanOptions extends StoreOptions {
  /** Also scan every commit. */
  history?: boolean;
}

function describe(finding: Finding): string {
  const where = `${finding.commit === undefined ? '' : `${out.dim(finding.commit)} `}${finding.file}:${finding.line}`;
  const what =
    finding.variable === undefined
      ? finding.rule
      : `${finding.rule} ${out.dim(`(${finding.variable})`)}`;
  return `${where}  ${out.red(what)}  ${finding.preview}`;
}

/** Runs `exkeys scan`. */
export async function scanCommand(paths: string[], options: ScanOptions): Promise<void> {
  const cwd = process.cwd();
  // A typo must not pass as "nothing found".
  const absent = paths.filter((path) => !existsSync(resolve(cwd, path)));
  if (absent.length > 0) {
    throw new UsageError(`Nothing to scan at ${absent.join(', ')}: no such file or directory.`);
  }
  const store = await selectStore(options);
  let env: PrivateEnv = {};
  if (store.files.some((file) => existsSync(file))) env = await loadPrivateEnv(store);
  const configured = configuredValues(env);
  const root = options.history ? await gitRoot(cwd) : undefined;
  if (options.history && root === undefined) {
    throw new UsageError('--history needs a git repository: run exkeys scan inside one.');
  }

  const progress = startProgress('Scanning files…');
  let findings: Finding[];
  let summary: string;
  try {
    const tree = await scanWorkingTree(cwd, paths, configured, new Set(store.files));
    findings = tree.findings;
    summary = `${plural(tree.scanned, 'file')}`;
    if (root !== undefined) {
      progress.update('Scanning git history…');
      const history = await scanHistory(root, configured);
      findings.push(...history.findings);
      summary += ` and ${plural(history.scanned, 'commit')}`;
    }
  } finally {
    progress.stop();
  }

  if (options.json) {
    printJson(findings);
  } else if (findings.length === 0) {
    print(`${out.green('✔')} No exchange credentials found in ${summary}.`);
  } else {
    for (const finding of findings) print(describe(finding));
    const files = new Set(findings.map((finding) => finding.file)).size;
    printError(
      err.red(
        `\n${plural(findings.length, 'possible credential')} found in ${plural(files, 'file')} (scanned ${summary}).`,
      ),
    );
    printError(
      'Move them into .env (exkeys set <exchange>), and rotate every key that was ever committed (exkeys rotate <exchange>): history keeps it even after deletion.',
    );
  }
  if (findings.length > 0) throw new CommandFailed(EXIT.failed);
}
