/**
 * `exkeys scan`: find exchange credentials in files, in the staged changes (`--staged`) or, with
 * `--history`, in every commit, and report them as text, JSON or SARIF. The store in use is
 * excluded from the working-tree scan (it is supposed to hold the keys). With `--verify`, found
 * keys are checked live and ranked (`scan-verify.ts`).
 * @module
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { CommandFailed, EXIT, UsageError } from '../exit-codes.js';
import type { Finding } from '../finding.js';
import { FoundValues } from '../found-values.js';
import { gitRoot } from '../git.js';
import { configuredValues } from '../leak-rules.js';
import { plural } from '../messages.js';
import type { EndpointOptions, ScanFlagOptions } from '../options.js';
import { BASELINE_FILE, readBaseline, writeBaseline } from '../scan-baseline.js';
import type { ScanFormat } from '../scan-report.js';
import { scanDiff, scanWorkingTree } from '../scanner.js';
import { loadPrivateEnv, type PrivateEnv, selectStore } from '../store-selection.js';
import { err, out, print, printError, printJson, startProgress } from '../terminal.js';

/** Options of `exkeys scan`. */
export type ScanOptions = ScanFlagOptions;

function describe(finding: Finding): string {
  const where = `${finding.commit === undefined ? '' : `${out.dim(finding.commit)} `}${finding.file}:${finding.line}`;
  const detail = [finding.variable, finding.encoding].filter((part) => part !== undefined);
  const what =
    detail.length === 0 ? finding.rule : `${finding.rule} ${out.dim(`(${detail.join(', ')})`)}`;
  const line = `${where}  ${out.red(what)}  ${finding.preview}`;
  const verification = finding.verification;
  if (verification === undefined) return line;
  const rank = ['can-withdraw', 'can-trade', 'valid'].includes(verification.rank)
    ? out.red(out.bold(verification.rank.toUpperCase()))
    : out.dim(verification.rank);
  return `${line}  ${rank} ${out.dim(`(${verification.reason})`)}`;
}

function formatOf(options: ScanOptions): ScanFormat {
  if (options.json && options.format !== undefined && options.format !== 'json') {
    throw new UsageError(`--json and --format ${options.format} disagree: give one of them.`);
  }
  return options.json ? 'json' : (options.format ?? 'text');
}

function exitCodeOf(options: ScanOptions): number {
  if (options.exitCode === undefined) return EXIT.failed;
  const code = Number(options.exitCode);
  if (!/^\d{1,3}$/.test(options.exitCode) || code > 255 || code === EXIT.usage) {
    throw new UsageError(
      `--exit-code takes the exit code for findings, 0 to 255 except 2 (kept for usage errors); got ${JSON.stringify(options.exitCode)}.`,
    );
  }
  return code;
}

function versionOf(command: Command | undefined): string {
  return command?.parent?.version() ?? '0.0.0';
}

/** Runs `exkeys scan`. */
export async function scanCommand(
  paths: string[],
  options: ScanOptions,
  command?: Command,
): Promise<void> {
  const cwd = process.cwd();
  if (options.exportRules !== undefined) {
    if (options.exportRules !== 'gitleaks') {
      throw new UsageError(
        `--export-rules knows only gitleaks (got ${JSON.stringify(options.exportRules)}).`,
      );
    }
    const { gitleaksConfig } = await import('../gitleaks-rules.js');
    process.stdout.write(gitleaksConfig(versionOf(command)));
    return;
  }
  if (options.installHook) {
    const { installPreCommitHook } = await import('../pre-commit-hook.js');
    const hook = await installPreCommitHook(cwd);
    const where = hook.kind === 'husky' ? `Husky's ${hook.path}` : hook.path;
    print(
      hook.changed
        ? `${out.green('✔')} pre-commit hook written to ${where}: commits that add exchange keys are refused.`
        : `${out.green('✔')} The exkeys pre-commit hook is already in ${where}.`,
    );
    print('  Turn it off with: git config exkeys.hook false');
    return;
  }
  const format = formatOf(options);
  const exitCode = exitCodeOf(options);
  if (options.verify && options.baseline === 'write') {
    throw new UsageError('--verify and --baseline write do not go together: drop one of them.');
  }
  // A bad --base-url is a usage error before anything is read. Loaded only for --verify.
  const endpointFrom = options.verify
    ? (await import('../live-verification.js')).endpointFrom
    : undefined;
  endpointFrom?.(options);
  if (options.staged && (options.history || paths.length > 0)) {
    throw new UsageError('--staged scans the staged changes only: drop --history and the paths.');
  }
  // A typo must not pass as "nothing found".
  const absent = paths.filter((path) => !existsSync(resolve(cwd, path)));
  if (absent.length > 0) {
    throw new UsageError(`Nothing to scan at ${absent.join(', ')}: no such file or directory.`);
  }
  const store = await selectStore(options);
  let env: PrivateEnv = {};
  if (store.files.some((file) => existsSync(file))) env = await loadPrivateEnv(store);
  const configured = configuredValues(env);
  const found = options.verify ? new FoundValues() : undefined;
  // Asked now, so git answers while the files are read; every scan needs it for the report's paths.
  const repoRoot = gitRoot(cwd);
  const root = options.history || options.staged ? await repoRoot : undefined;
  if ((options.history || options.staged) && root === undefined) {
    const flag = options.staged ? '--staged' : '--history';
    throw new UsageError(`${flag} needs a git repository: run exkeys scan inside one.`);
  }

  const progress = startProgress(options.staged ? 'Scanning staged changes…' : 'Scanning files…');
  const findings: Finding[] = [];
  // Working-tree paths are relative to cwd, diff paths to the repository root.
  const fromRoot = new Set<Finding>();
  let summary: string;
  try {
    if (options.staged && root !== undefined) {
      const staged = await scanDiff(root, configured, 'staged', found);
      for (const finding of staged.findings) fromRoot.add(finding);
      findings.push(...staged.findings);
      summary = `the staged changes of ${plural(staged.scanned, 'file')}`;
    } else {
      // git writes the history while the tree is scanned: the two overlap on separate cores.
      if (root !== undefined) progress.update('Scanning files and git history…');
      const [tree, history] = await Promise.all([
        scanWorkingTree(cwd, paths, configured, new Set(store.files), found),
        root === undefined ? undefined : scanDiff(root, configured, 'history', found),
      ]);
      findings.push(...tree.findings);
      summary = plural(tree.scanned, 'file');
      if (history !== undefined) {
        for (const finding of history.findings) fromRoot.add(finding);
        findings.push(...history.findings);
        summary += ` and ${plural(history.scanned, 'commit')}`;
      }
    }
  } finally {
    progress.stop();
  }

  // Repository-relative paths with `/`: what SARIF shows and what fingerprints are made of.
  const base = (await repoRoot) ?? cwd;
  const uriOf = (finding: Finding) =>
    (fromRoot.has(finding) ? finding.file : relative(base, resolve(cwd, finding.file)))
      .split(sep)
      .join('/');
  // The report module (and node:crypto) only when there is something to report.
  const report =
    findings.length > 0 || format === 'sarif' ? await import('../scan-report.js') : undefined;
  const prints =
    report?.fingerprints(findings.map((finding) => ({ ...finding, file: uriOf(finding) }))) ?? [];
  const baselinePath =
    options.baseline === undefined || options.baseline === 'write'
      ? join(base, BASELINE_FILE)
      : resolve(cwd, options.baseline);
  if (options.baseline === 'write') {
    writeBaseline(baselinePath, prints);
    print(
      `${out.green('✔')} ${plural(findings.length, 'finding')} recorded in ${baselinePath}: later scans report only new ones.`,
    );
    return;
  }
  if (options.baseline !== undefined && !existsSync(baselinePath)) {
    throw new UsageError(`No scan baseline at ${options.baseline}: check the path.`);
  }
  const accepted = readBaseline(baselinePath);
  const known = findings.filter((_, at) => accepted.has(prints[at] ?? ''));
  if (known.length > 0) {
    const kept = findings.filter((_, at) => !accepted.has(prints[at] ?? ''));
    findings.splice(0, findings.length, ...kept);
    printError(
      `${plural(known.length, 'finding')} ignored: listed in the baseline ${baselinePath}.`,
    );
  }

  if (found !== undefined && endpointFrom !== undefined) {
    await verifyAndRank(findings, found, endpointFrom(options, { ...env, ...process.env }));
  }

  if (format === 'json') {
    printJson(findings);
  } else if (format === 'sarif') {
    printJson(report?.sarifLog(findings, { version: versionOf(command), uriOf }));
  } else if (findings.length === 0) {
    print(`${out.green('✔')} No exchange credentials found in ${summary}.`);
  } else {
    for (const finding of findings) print(describe(finding));
    const files = new Set(findings.map((finding) => `${finding.commit ?? ''}:${finding.file}`));
    const count = new Set([...files].map((file) => file.slice(file.indexOf(':') + 1))).size;
    printError(
      err.red(
        `\n${plural(findings.length, 'possible credential')} found in ${plural(count, 'file')} (scanned ${summary}).`,
      ),
    );
    printError(
      'Move them into .env (exkeys set <exchange>), and rotate every key that was ever committed (exkeys rotate <exchange>): history keeps it even after deletion.',
    );
  }
  if (findings.length > 0 && exitCode !== 0) throw new CommandFailed(exitCode);
}

/** `--verify`: pairs the findings, warns on stderr, sends each credential once, ranks them all. */
async function verifyAndRank(
  findings: Finding[],
  found: FoundValues,
  endpoint: EndpointOptions,
): Promise<void> {
  const { pairFindings, verifyFindings, verifyTargets, verifyWarning } = await import(
    '../scan-verify.js'
  );
  const { candidates, unpaired } = pairFindings(findings, found);
  const targets = verifyTargets(candidates);
  if (targets.length > 0) {
    printError(err.yellow(verifyWarning(targets, endpoint)));
  } else if (candidates.length > 0) {
    printError('--verify: exkeys cannot verify these exchanges live, so nothing was sent.');
  } else if (findings.length > 0) {
    printError(
      '--verify: no finding pairs a key with its secret in one file, so nothing was sent.',
    );
  }
  const progress = startProgress('Verifying found keys…');
  try {
    await verifyFindings(candidates, unpaired, endpoint);
  } finally {
    progress.stop();
  }
}
