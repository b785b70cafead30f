/**
 * The leak scanner behind `exkeys scan`: the working tree (tracked and untracked-but-not-ignored
 * files) and, on request, every line ever added in the git history.
 * @module
 */
import { spawn } from 'node:child_process';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { git } from './git.js';
import {
  type ConfiguredValue,
  LEAK_RULES,
  looksRandom,
  NEAR_LINES,
  previewOf,
} from './leak-rules.js';

/** One leaked credential. Holds a masked preview only. */
export interface Finding {
  /** Path relative to the current directory (working tree) or to the repository root (history). */
  file: string;
  /** 1-based line number. */
  line: number;
  /** The commit that added the line, for history finds. */
  commit?: string;
  /** The rule that matched, or `configured-value`. */
  rule: string;
  /** The exchange concerned. */
  exchange: string;
  /** For configured values: the variable whose value leaked. */
  variable?: string;
  /** First ≤6 characters of a key, or `[redacted]` for a secret. */
  preview: string;
}

/** A line to examine; context lines help the "near the exchange name" test but are not reported. */
export interface ScanLine {
  /** The line's text. */
  text: string;
  /** 1-based line number. */
  number: number;
  /** False for context lines (history diffs). */
  report: boolean;
}

/** Lines that carry this marker are skipped by the pattern rules (not by configured values). */
const IGNORE_MARKER = 'exkeys-scan-ignore';

/** Finds configured values and rule matches in `lines`. */
export function scanLines(
  lines: readonly ScanLine[],
  where: { file: string; commit?: string },
  configured: readonly ConfiguredValue[],
): Finding[] {
  const findings: Finding[] = [];
  const lower = lines.map((line) => line.text.toLowerCase());
  lines.forEach((line, index) => {
    if (!line.report) return;
    const seen = new Set<string>();
    const add = (finding: Omit<Finding, 'file' | 'line' | 'commit'>, value: string) => {
      if (seen.has(value)) return;
      seen.add(value);
      findings.push({
        file: where.file,
        line: line.number,
        ...(where.commit === undefined ? {} : { commit: where.commit }),
        ...finding,
      });
    };
    for (const value of configured) {
      if (!line.text.includes(value.needle)) continue;
      const exchange = value.variable.split('_', 1)[0]?.toLowerCase() ?? '';
      add(
        {
          rule: 'configured-value',
          exchange,
          variable: value.variable,
          preview: previewOf(value.kind, value.needle),
        },
        value.needle,
      );
    }
    if (line.text.includes(IGNORE_MARKER)) return;
    const from = Math.max(0, index - NEAR_LINES);
    const window = lower.slice(from, index + NEAR_LINES + 1).join('\n');
    for (const rule of LEAK_RULES) {
      if (!window.includes(rule.exchange)) continue;
      for (const match of line.text.matchAll(rule.pattern)) {
        const value = match[0];
        if (!rule.marker && !looksRandom(value)) continue;
        if ([...seen].some((known) => known.includes(value) || value.includes(known))) continue;
        add(
          { rule: rule.id, exchange: rule.exchange, preview: previewOf(rule.kind, value) },
          value,
        );
      }
    }
  });
  return findings;
}

const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);
const SKIPPED_FILES = new Set(['pnpm-lock.yaml', 'package-lock.json', 'yarn.lock', 'bun.lock']);
const MAX_FILE_BYTES = 10 * 1024 * 1024;

async function walk(dir: string, into: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(path, into);
    } else if (entry.isFile()) {
      into.push(path);
    }
  }
}

/**
 * The files to scan under `paths` (relative to `cwd`): in a git work tree, tracked plus untracked
 * files that `.gitignore` does not exclude; elsewhere, every file except under `.git` and
 * `node_modules`. Returns absolute paths.
 */
export async function workingFiles(cwd: string, paths: readonly string[]): Promise<string[]> {
  const targets = paths.length > 0 ? paths : ['.'];
  const listed = await git(['ls-files', '-co', '--exclude-standard', '-z', '--', ...targets], cwd);
  if (listed.code === 0) {
    const files = listed.stdout.split('\0').filter((file) => file !== '');
    return [...new Set(files)].map((file) => resolve(cwd, file));
  }
  const files: string[] = [];
  for (const target of targets) {
    const path = resolve(cwd, target);
    if ((await stat(path)).isDirectory()) await walk(path, files);
    else files.push(path);
  }
  return files;
}

function isSkippedName(path: string): boolean {
  return SKIPPED_FILES.has(path.split(sep).at(-1) ?? '');
}

/** Reads a text file, or `undefined` for binary (a NUL byte early on), huge or vanished files. */
async function readText(path: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile() || info.size > MAX_FILE_BYTES) return undefined;
    const bytes = await handle.readFile();
    if (bytes.subarray(0, 8000).includes(0)) return undefined;
    return bytes.toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** What {@link scanWorkingTree} looked at. */
export interface ScanSummary {
  /** Every finding. */
  findings: Finding[];
  /** How many files (or, for history, commits) were examined. */
  scanned: number;
}

/** Scans the working tree under `paths`, skipping `exclude` (absolute paths of the stores in use). */
export async function scanWorkingTree(
  cwd: string,
  paths: readonly string[],
  configured: readonly ConfiguredValue[],
  exclude: ReadonlySet<string>,
): Promise<ScanSummary> {
  const findings: Finding[] = [];
  let scanned = 0;
  for (const path of await workingFiles(cwd, paths)) {
    if (exclude.has(path) || isSkippedName(path)) continue;
    const text = await readText(path);
    if (text === undefined) continue;
    scanned += 1;
    const lines = text.split('\n').map((line, index) => ({
      text: line.replace(/\r$/, ''),
      number: index + 1,
      report: true,
    }));
    findings.push(...scanLines(lines, { file: relative(cwd, path) }, configured));
  }
  return { findings, scanned };
}

/**
 * Scans every line added by any commit on any ref (`git log -p --all`), with two lines of context for
 * the "near the exchange name" test. Paths are relative to the repository root.
 */
export async function scanHistory(
  repoRoot: string,
  configured: readonly ConfiguredValue[],
): Promise<ScanSummary> {
  const child = spawn(
    'git',
    [
      '-c',
      'core.quotePath=false',
      'log',
      '-p',
      '--all',
      `-U${NEAR_LINES}`,
      '--no-color',
      '--no-ext-diff',
      '--no-renames',
      '--format=%x00commit %H',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const findings: Finding[] = [];
  const commits = new Set<string>();
  let commit = '';
  let file: string | undefined;
  let hunk: ScanLine[] = [];
  let next = 0;
  let inHunk = false;
  const flush = () => {
    if (file !== undefined && hunk.some((line) => line.report) && !isSkippedName(file)) {
      findings.push(...scanLines(hunk, { file, commit: commit.slice(0, 12) }, configured));
    }
    hunk = [];
  };
  const lines = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const raw of lines) {
    if (raw.startsWith('\0commit ')) {
      flush();
      commit = raw.slice('\0commit '.length);
      commits.add(commit);
      inHunk = false;
    } else if (raw.startsWith('diff --git ')) {
      flush();
      file = undefined;
      inHunk = false;
    } else if (!inHunk && raw.startsWith('+++ ')) {
      const target = raw.slice(4);
      file = target === '/dev/null' ? undefined : target.replace(/^b\//, '');
    } else if (raw.startsWith('@@ ')) {
      flush();
      const start = /\+(\d+)/.exec(raw)?.[1];
      next = start === undefined ? 1 : Number(start);
      inHunk = true;
    } else if (inHunk && (raw.startsWith('+') || raw.startsWith(' '))) {
      hunk.push({ text: raw.slice(1), number: next, report: raw.startsWith('+') });
      next += 1;
    }
  }
  flush();
  await new Promise((done) => (child.exitCode === null ? child.once('close', done) : done(null)));
  return { findings, scanned: commits.size };
}
