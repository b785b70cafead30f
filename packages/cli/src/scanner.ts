/**
 * The leak scanner behind `exkeys scan`: the working tree (tracked and untracked-but-not-ignored
 * files, plus any path named explicitly), the staged changes, and, on request, every line ever
 * added in the git history, merge commits included.
 * @module
 */
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { EXCHANGES } from '@exkeys/credentials';
import {
  type FileText,
  type LinePiece,
  LineSplitter,
  readLines,
  readSmallLines,
} from './file-text.js';
import type { Finding } from './finding.js';
import type { FoundValues } from './found-values.js';
import { git, isIgnored } from './git.js';
import {
  BASE64_TOKEN_LENGTHS,
  type ConfiguredValue,
  LEAK_RULES,
  type LeakRule,
  LINES_ABOVE,
  looksRandom,
  NEAR_LINES,
  PRIVATE_KEY_RULE,
  previewOf,
  TOKEN_MAX_LENGTH,
  TOKEN_MIN_LENGTH,
} from './leak-rules.js';

export type { Finding, FindingVerification, VerificationRank } from './finding.js';

/**
 * `passphrase = "…"`, `"password": "…"`, `OKX_API_PASSPHRASE=…`: the value (8 to 64 characters
 * without quotes or spaces) assigned to a name holding `passphrase` or `password`.
 */
const PASSPHRASE_ASSIGNMENT =
  /pass(?:phrase|word)[A-Za-z0-9_-]*["'`]?\s*[:=]\s*["'`]?([^\s"'`,;]{8,64})/gi;

/** A line to examine; context lines help the "near the exchange name" test but are not reported. */
export interface ScanLine {
  /** The line's text. */
  text: string;
  /** 1-based line number. */
  number: number;
  /** False for context lines (history diffs). */
  report: boolean;
  /**
   * The text is a piece of a line too long to hold, cut at its end: the next `ScanLine` has the same
   * number and begins with this one's last characters. A token that runs into the cut is left to
   * the next piece, which holds it whole.
   */
  continues?: boolean;
}

/** Lines that carry one of these markers are skipped by the pattern rules (not by configured values). */
const ALLOW_MARKERS: readonly string[] = ['exkeys-scan-ignore', 'exkeys:allow', 'gitleaks:allow'];

const MENTION = new RegExp(Object.keys(EXCHANGES).join('|'), 'gi');
const HAS_MENTION = new RegExp(Object.keys(EXCHANGES).join('|'), 'i');

/** True for the characters a token is made of: `A-Za-z0-9-`. */
function isTokenChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 45
  );
}

/** True for the characters of a base64 value (a Kraken or Coinbase secret): `A-Za-z0-9+/=`. */
function isBase64Char(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 43 ||
    code === 47 ||
    code === 61
  );
}

/**
 * True when the `size` characters (or bytes) read by `at` hold a run of `length` characters that
 * `isChar` accepts. Looks at every `length`-th character first: where that one is not accepted, no
 * run of that length can span it, so the search jumps past it (most text is short words).
 */
function hasRun(
  at: (index: number) => number,
  size: number,
  isChar: (code: number) => boolean,
  length: number,
): boolean {
  let probe = length - 1;
  while (probe < size) {
    if (!isChar(at(probe))) {
      probe += length;
      continue;
    }
    // The run through `probe`: backwards, then forwards.
    let run = 1;
    for (let back = probe - 1; back >= 0 && run < length && isChar(at(back)); back--) run += 1;
    let next = probe + 1;
    while (run < length && next < size && isChar(at(next))) {
      run += 1;
      next += 1;
    }
    if (run >= length) return true;
    // `next` is not accepted (or the end): a run must start after it.
    probe = next + length;
  }
  return false;
}

const [BASE64_MIN] = BASE64_TOKEN_LENGTHS;

/**
 * True when the characters read by `at` hold a run a rule could match: `A-Za-z0-9-` as long as the
 * shortest token, or base64 as long as the shortest base64 value (`+` and `/` break the first kind).
 */
function hasLongRunAt(at: (index: number) => number, size: number): boolean {
  return (
    hasRun(at, size, isTokenChar, TOKEN_MIN_LENGTH) ||
    (BASE64_MIN > 0 && hasRun(at, size, isBase64Char, BASE64_MIN))
  );
}

/** {@link hasLongRunAt} for a string. */
function hasLongRun(text: string): boolean {
  return hasLongRunAt((index) => text.charCodeAt(index), text.length);
}

/** {@link hasLongRun} for bytes (ASCII, UTF-8 or the binary decoding): the same jumps. */
function hasLongRunInBytes(bytes: Uint8Array): boolean {
  return hasLongRunAt((index) => bytes[index] as number, bytes.length);
}

const PEM_HEADER = Buffer.from('-----BEGIN');

/** {@link mayMatch} for the bytes of a UTF-8 or binary file, before decoding it. */
export function mayMatchBytes(bytes: Uint8Array): boolean {
  return (
    hasLongRunInBytes(bytes) ||
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).includes(PEM_HEADER)
  );
}

/**
 * False when no line of `text` can hold a rule match: no run of token characters as long as the
 * shortest rule's, and no PEM header. (Configured values are looked for separately.)
 */
export function mayMatch(text: string): boolean {
  // A character loop: a regular expression for the run retries at every position.
  return hasLongRun(text) || text.includes('-----BEGIN');
}

/**
 * The maximal runs of `A-Za-z0-9-` in `text` that are long enough for a rule, found in one pass
 * over the characters (a regular expression retries at every position).
 */
function tokensIn(text: string, cutAtEnd = false): string[] {
  const tokens: string[] = [];
  let start = -1;
  for (let index = 0; index <= text.length; index += 1) {
    const inside = index < text.length && isTokenChar(text.charCodeAt(index));
    if (inside) {
      if (start === -1) start = index;
    } else if (start !== -1) {
      const length = index - start;
      const cut = cutAtEnd && index === text.length;
      if (!cut && length >= TOKEN_MIN_LENGTH && length <= TOKEN_MAX_LENGTH) {
        tokens.push(text.slice(start, index));
      }
      start = -1;
    }
  }
  return tokens;
}
// `=` only pads the end of a base64 value: `KRAKEN_API_SECRET=<value>` is two runs, not one.
const BASE64_RUN = /[A-Za-z0-9+/]+=*/g;

/**
 * The maximal runs of base64 characters in `text` that are as long as a base64 rule's value; with
 * `cutAtEnd`, not one that runs into the end of `text` (the next piece of the line holds it whole).
 */
function base64TokensIn(text: string, cutAtEnd = false): string[] {
  const [min, max] = BASE64_TOKEN_LENGTHS;
  if (max === 0) return [];
  return [...text.matchAll(BASE64_RUN)]
    .filter((match) => !(cutAtEnd && match.index + match[0].length === text.length))
    .map((match) => match[0])
    .filter((run) => run.length >= min && run.length <= max);
}

const RULES_BY_EXCHANGE = new Map<string, LeakRule[]>();
for (const rule of LEAK_RULES) {
  if (rule.marker) continue;
  RULES_BY_EXCHANGE.set(rule.exchange, [...(RULES_BY_EXCHANGE.get(rule.exchange) ?? []), rule]);
}
/** The organisation id of a Coinbase CDP key name, `organizations/{org}/apiKeys/{key}`. */
const ORGANIZATION_ID = /organizations\/([0-9A-Fa-f-]{36})\/apiKeys\//g;

/** Stands in {@link LineScanner}'s per-line set for "a PEM header was reported here". */
const PEM_SEEN = '\0pem';
const PEM_RULES = new Map(LEAK_RULES.filter((rule) => rule.marker).map((r) => [r.exchange, r]));

// JSON and string escapes: `"…\nKEY…"` in a notebook must not glue the `n` to the key.
const ESCAPE = /\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[nrtbf0"'\\/])/g;
// The end of one string literal and the start of the next, joined by `+`, `.` or nothing, on the
// same line or across one line break: `'abc' + 'def'`, `"abc"\n  "def"`.
const LITERAL_BREAK = /["'`][ \t]*(?:[+.][ \t]*)?(?:\\?\n[ \t]*(?:[+.][ \t]*)?)?["'`]/g;
const QUOTE = /["'`]/;

function joinLiterals(text: string): string {
  return text.replace(LITERAL_BREAK, '');
}

/** The exchanges whose name is in `text`. */
function mentionsIn(text: string): string[] {
  if (!HAS_MENTION.test(text)) return [];
  const found: string[] = [];
  for (const match of text.matchAll(MENTION)) found.push(match[0].toLowerCase());
  return found;
}

/**
 * The configured values that can occur in `text`: whole, or (for a value split across two string
 * literals) one of its halves, since one literal holds at least half of the value.
 */
export function presentValues(
  configured: readonly ConfiguredValue[],
  text: string,
): ConfiguredValue[] {
  return configured.filter((value) => {
    const half = Math.ceil(value.needle.length / 2);
    return (
      text.includes(value.needle.slice(0, half)) ||
      text.includes(value.needle.slice(value.needle.length - half))
    );
  });
}

/**
 * Scans a stream of lines, one at a time and with bounded memory: each line is examined once the
 * {@link NEAR_LINES} lines below it have arrived. An exchange counts as near a line when its name
 * is in the file's path, within {@link LINES_ABOVE} lines above, or within {@link NEAR_LINES} below.
 */
export class LineScanner {
  /** Everything found so far. */
  readonly findings: Finding[] = [];
  private readonly pending: ScanLine[] = [];
  private readonly lastMention = new Map<string, number>();
  private readonly pathExchanges: readonly string[];
  private readonly where: { file: string; commit?: string };
  private readonly configured: readonly ConfiguredValue[];
  private readonly found: FoundValues | undefined;
  private previous = '';
  private previousJoined: string | undefined;
  /** The values found on the line last examined: pieces of one cut line report a value once. */
  private lineSeen: { number: number; values: Set<string> } = { number: 0, values: new Set() };

  /**
   * @param where Where the lines come from, copied into every finding.
   * @param configured The store's values to look for.
   * @param found Where to keep the raw values of rule findings (for `scan --verify`).
   */
  constructor(
    where: { file: string; commit?: string },
    configured: readonly ConfiguredValue[],
    found?: FoundValues,
  ) {
    this.where = where;
    this.configured = configured;
    this.found = found;
    this.pathExchanges = mentionsIn(where.file);
  }

  /** Adds the next line. */
  push(line: ScanLine): void {
    for (const exchange of mentionsIn(line.text)) this.lastMention.set(exchange, line.number);
    this.pending.push(line);
    if (this.pending.length > NEAR_LINES) this.examine(this.pending.shift() as ScanLine);
  }

  /** Examines the lines still waiting for context and returns every finding. */
  end(): Finding[] {
    for (const line of this.pending.splice(0)) this.examine(line);
    return this.findings;
  }

  private near(number: number): Set<string> {
    const near = new Set(this.pathExchanges);
    for (const [exchange, at] of this.lastMention) {
      if (at >= number - LINES_ABOVE) near.add(exchange);
    }
    return near;
  }

  private examine(line: ScanLine): void {
    const previous = this.previous;
    const previousJoined = this.previousJoined;
    this.previous = line.text;
    this.previousJoined = undefined;
    if (!line.report) return;
    const text = line.text;
    if (this.found !== undefined && /pass(?:phrase|word)/i.test(text)) {
      for (const match of text.matchAll(PASSPHRASE_ASSIGNMENT)) {
        this.found.keepPassphrase(this.where, { line: line.number, value: match[1] as string });
      }
    }
    // Most lines hold nothing a rule could match: leave before allocating anything for them.
    if (this.configured.length === 0 && !mayMatch(text)) return;
    if (this.lineSeen.number !== line.number) {
      this.lineSeen = { number: line.number, values: new Set() };
    }
    const seen = this.lineSeen.values;
    const add = (finding: Omit<Finding, 'file' | 'line' | 'commit'>, value: string) => {
      if (seen.has(value)) return;
      seen.add(value);
      const full: Finding = {
        file: this.where.file,
        line: line.number,
        ...(this.where.commit === undefined ? {} : { commit: this.where.commit }),
        ...finding,
      };
      this.findings.push(full);
      if (finding.rule !== 'configured-value') this.found?.keep(full, value);
    };
    if (this.configured.length > 0) {
      const quoted = QUOTE.test(text);
      let joined: string | undefined;
      for (const value of this.configured) {
        let found = text.includes(value.needle);
        if (!found && quoted) {
          joined ??= joinLiterals(`${previous}\n${text}`);
          // Reported on the line where the value ends, once.
          found =
            joined.includes(value.needle) &&
            !(previousJoined ?? joinLiterals(previous)).includes(value.needle);
        }
        if (!found) continue;
        add(
          {
            rule: 'configured-value',
            exchange: value.variable.split('_', 1)[0]?.toLowerCase() ?? '',
            variable: value.variable,
            ...(value.encoding === undefined ? {} : { encoding: value.encoding }),
            preview: value.preview,
          },
          value.needle,
        );
      }
      if (quoted) this.previousJoined = joinLiterals(text);
    }
    if (ALLOW_MARKERS.some((marker) => text.includes(marker))) return;
    const hasPem = text.includes('-----BEGIN');
    const variants = text.includes('\\') ? [text, text.replace(ESCAPE, ' ')] : [text];
    const cut = line.continues === true;
    // Longest first: a base64 secret holds shorter runs of letters and digits (between its `+` and
    // `/`) that may have a key's shape; the secret is reported, and the runs inside it are not.
    const tokens = [
      ...new Set(
        variants.flatMap((variant) => [...tokensIn(variant, cut), ...base64TokensIn(variant, cut)]),
      ),
    ].sort((a, b) => b.length - a.length);
    if (!hasPem && tokens.length === 0) return;
    const near = this.near(line.number);
    if (hasPem && PRIVATE_KEY_RULE.pattern.test(text) && !seen.has(PEM_SEEN)) {
      seen.add(PEM_SEEN);
      PRIVATE_KEY_RULE.pattern.lastIndex = 0;
      const rules = [...near].flatMap((exchange) => PEM_RULES.get(exchange) ?? []);
      for (const rule of rules.length > 0 ? rules : [PRIVATE_KEY_RULE]) {
        this.findings.push({
          file: this.where.file,
          line: line.number,
          ...(this.where.commit === undefined ? {} : { commit: this.where.commit }),
          rule: rule.id,
          exchange: rule.exchange,
          preview: previewOf(rule.kind, ''),
        });
      }
    }
    PRIVATE_KEY_RULE.pattern.lastIndex = 0;
    if (near.size === 0) return;
    // A value two exchanges' shapes share (Coinbase's and Kraken's 88-character base64 secrets)
    // goes to the exchange named on its own line, as in `KRAKEN_API_SECRET=…`, before the others.
    const own = mentionsIn(text);
    const order = [...near].sort((a, b) => Number(own.includes(b)) - Number(own.includes(a)));
    // In a Coinbase key name `organizations/{org}/apiKeys/{key}` the organisation id is no credential.
    const organizations = text.includes('/apiKeys/')
      ? new Set([...text.matchAll(ORGANIZATION_ID)].map((match) => match[1]))
      : undefined;
    for (const value of tokens) {
      if (seen.has(value) || organizations?.has(value)) continue;
      let random: boolean | undefined;
      for (const exchange of order) {
        for (const rule of RULES_BY_EXCHANGE.get(exchange) ?? []) {
          if (!rule.whole.test(value)) continue;
          random ??= looksRandom(value);
          if (!random) continue;
          if ([...seen].some((known) => known.includes(value) || value.includes(known))) continue;
          add({ rule: rule.id, exchange, preview: previewOf(rule.kind, value) }, value);
        }
      }
    }
  }
}

/** Finds configured values and rule matches in `lines` (consecutive lines of one file). */
export function scanLines(
  lines: readonly ScanLine[],
  where: { file: string; commit?: string },
  configured: readonly ConfiguredValue[],
  found?: FoundValues,
): Finding[] {
  const scanner = new LineScanner(where, configured, found);
  for (const line of lines) scanner.push(line);
  return scanner.end();
}

const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);
const SKIPPED_FILES = new Set(['pnpm-lock.yaml', 'package-lock.json', 'yarn.lock', 'bun.lock']);

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
 * `node_modules`. A path named explicitly is scanned even when `.gitignore` covers it (an ignored
 * directory named explicitly is walked whole). Returns absolute paths.
 */
export async function workingFiles(cwd: string, paths: readonly string[]): Promise<string[]> {
  const targets = paths.length > 0 ? paths : ['.'];
  const listed = await git(['ls-files', '-co', '--exclude-standard', '-z', '--', ...targets], cwd);
  const files: string[] = [];
  if (listed.code === 0) {
    files.push(...listed.stdout.split('\0').filter((file) => file !== ''));
    for (const target of paths) {
      if (!(await isIgnored(target, cwd))) continue;
      if ((await stat(resolve(cwd, target))).isDirectory()) await walk(resolve(cwd, target), files);
      else files.push(target);
    }
  } else {
    for (const target of targets) {
      const path = resolve(cwd, target);
      if ((await stat(path)).isDirectory()) await walk(path, files);
      else files.push(path);
    }
  }
  return [...new Set(files.map((file) => resolve(cwd, file)))];
}

function isSkippedName(path: string): boolean {
  return SKIPPED_FILES.has(path.split(sep).at(-1) ?? '');
}

/** What a scan looked at. */
export interface ScanSummary {
  /** Every finding. */
  findings: Finding[];
  /** How many files (or, for history, commits) were examined. */
  scanned: number;
}

/**
 * How many files are scanned at once. Small files are read synchronously (see `file-text.ts`), so
 * this bounds the large files streamed side by side, and with them memory: each holds one 256 KiB
 * read buffer and at most one line piece of 1 MiB.
 */
const READ_CONCURRENCY = 16;

/** Reads `path` with `read`, feeding a {@link LineScanner} that only files that may match get. */
function scanWith<R>(
  read: (
    onLine: (line: string, piece: LinePiece) => void,
    before: (file: FileText) => boolean | undefined,
  ) => R,
  file: string,
  configured: readonly ConfiguredValue[],
  found: FoundValues | undefined,
): { result: R; end: () => Finding[] } {
  let scanner: LineScanner | undefined;
  let number = 0;
  const result = read(
    (text, piece) => {
      if (!piece.continued) number += 1;
      scanner?.push({ text, number, report: true, continues: piece.continues });
    },
    (whole) => {
      const values = whole.text === undefined ? configured : presentValues(configured, whole.text);
      // Most files hold nothing a rule could match: one search of the whole text, and no lines.
      if (whole.text !== undefined && values.length === 0 && !mayMatch(whole.text)) return false;
      scanner = new LineScanner({ file }, values, found);
      return undefined;
    },
  );
  return { result, end: () => scanner?.end() ?? [] };
}

/** Scans one file of the working tree; `undefined` when it is not a readable regular file. */
export async function scanFile(
  path: string,
  file: string,
  configured: readonly ConfiguredValue[],
  found?: FoundValues,
): Promise<Finding[] | undefined> {
  const scan = scanWith(
    (onLine, before) => readLines(path, onLine, before),
    file,
    configured,
    found,
  );
  return (await scan.result) === undefined ? undefined : scan.end();
}

/** {@link scanFile} for a small file, synchronously; `'large'` for a file to stream instead. */
function scanSmallFile(
  path: string,
  file: string,
  configured: readonly ConfiguredValue[],
  found: FoundValues | undefined,
): Finding[] | 'large' | undefined {
  // Without store values, a file whose bytes cannot match is not even decoded.
  const mayHold = configured.length === 0 ? mayMatchBytes : undefined;
  const scan = scanWith(
    (onLine, before) => readSmallLines(path, onLine, before, mayHold),
    file,
    configured,
    found,
  );
  return scan.result === undefined || scan.result === 'large' ? scan.result : scan.end();
}

/** How many small files are scanned between two turns of the event loop (progress, git's pipes). */
const FILES_PER_TURN = 256;

/**
 * Scans the working tree under `paths`, skipping `exclude` (absolute paths of the stores in use);
 * keeps the raw values of rule findings in `found` when given.
 */
export async function scanWorkingTree(
  cwd: string,
  paths: readonly string[],
  configured: readonly ConfiguredValue[],
  exclude: ReadonlySet<string>,
  found?: FoundValues,
): Promise<ScanSummary> {
  const files = (await workingFiles(cwd, paths)).filter(
    (path) => !exclude.has(path) && !isSkippedName(path),
  );
  const results: Array<Finding[] | undefined> = new Array(files.length);
  // Small files first, synchronously (no promise per file); large ones are streamed after, at most
  // READ_CONCURRENCY at a time.
  const large: number[] = [];
  for (let index = 0; index < files.length; index += 1) {
    if (index % FILES_PER_TURN === FILES_PER_TURN - 1) await new Promise(setImmediate);
    const path = files[index] as string;
    const result = scanSmallFile(path, relative(cwd, path), configured, found);
    if (result === 'large') large.push(index);
    else results[index] = result;
  }
  let next = 0;
  const worker = async () => {
    for (let at = next++; at < large.length; at = next++) {
      const index = large[at] as number;
      const path = files[index] as string;
      results[index] = await scanFile(path, relative(cwd, path), configured, found);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, large.length) }, worker));
  const scanned = results.filter((result) => result !== undefined);
  return { findings: scanned.flat(), scanned: scanned.length };
}

/** Which commits {@link scanDiff} reads. */
export type DiffSource = 'history' | 'staged';

/**
 * Scans every line added by any commit on any ref (`git log -p --all`, merge commits as combined
 * diffs so a line a merge introduces counts), or by the staged changes (`git diff --cached`), with
 * {@link LINES_ABOVE} lines of context for the "near the exchange name" test. Files are diffed as
 * text whatever they hold, and however large. Paths are relative to the repository root. Keeps
 * the raw values of rule findings in `found` when given.
 */
export async function scanDiff(
  repoRoot: string,
  configured: readonly ConfiguredValue[],
  source: DiffSource = 'history',
  found?: FoundValues,
): Promise<ScanSummary> {
  const common = [
    `-U${LINES_ABOVE}`,
    '--text',
    '--no-color',
    '--no-ext-diff',
    '--no-renames',
    '--no-textconv',
  ];
  const args =
    source === 'history'
      ? ['log', '-p', '--cc', '--all', ...common, '--format=%x00commit %H']
      : ['diff', '--cached', ...common];
  const child = spawn('git', ['-c', 'core.quotePath=false', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const findings: Finding[] = [];
  const commits = new Set<string>();
  const files = new Set<string>();
  let commit: string | undefined;
  let file: string | undefined;
  let scanner: LineScanner | undefined;
  let next = 0;
  let columns = 1;
  const flush = () => {
    if (scanner !== undefined) findings.push(...scanner.end());
    scanner = undefined;
  };
  let prefix = '';
  const onLine = (raw: string, piece: LinePiece) => {
    if (piece.continued) {
      // The rest of a line too long to hold, after the overlap: same line, same prefix.
      if (prefix.includes('-') || prefix.startsWith('\\')) return;
      scanner?.push({
        text: raw,
        number: next - 1,
        report: /^\++$/.test(prefix),
        continues: piece.continues,
      });
    } else if (raw.startsWith('\0commit ')) {
      flush();
      commit = raw.slice('\0commit '.length);
      commits.add(commit);
      file = undefined;
    } else if (raw.startsWith('diff --git ') || raw.startsWith('diff --cc ')) {
      flush();
      file = undefined;
    } else if (scanner === undefined && raw.startsWith('+++ ')) {
      const target = raw.slice(4);
      file = target === '/dev/null' ? undefined : target.replace(/^b\//, '');
      if (file !== undefined && isSkippedName(file)) file = undefined;
      if (file !== undefined) files.add(file);
    } else if (raw.startsWith('@@')) {
      flush();
      // `@@ -a +b @@` for one parent, `@@@ -a -b +c @@@` for a merge of two: one column per parent.
      columns = (/^@+/.exec(raw)?.[0].length ?? 2) - 1;
      const start = /\+(\d+)/.exec(raw)?.[1];
      next = start === undefined ? 1 : Number(start);
      if (file !== undefined) {
        scanner = new LineScanner(
          commit === undefined ? { file } : { file, commit: commit.slice(0, 12) },
          configured,
          found,
        );
      }
    } else if (scanner !== undefined) {
      prefix = raw.slice(0, columns);
      if (prefix.includes('-') || prefix.startsWith('\\')) return;
      // Added against every parent: new in this commit. Added against some only: merged in.
      const body = raw.slice(columns);
      const text = body.includes('\0') ? body.replaceAll('\0', '') : body;
      scanner.push({
        text,
        number: next,
        report: /^\++$/.test(prefix),
        continues: piece.continues,
      });
      next += 1;
    }
  };
  // Lines are split by hand, chunk by chunk: an async iterator per line (readline) costs more than
  // the scan itself. A line too long to hold comes in overlapping pieces, as in file-text.ts.
  const splitter = new LineSplitter(onLine);
  // Decoded up to the last line break of each chunk: a UTF-8 character never contains one.
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    const bytes = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    const cut = bytes.lastIndexOf(10) + 1;
    if (cut > 0) splitter.write(bytes.toString('utf8', 0, cut));
    rest = bytes.subarray(cut);
  }
  splitter.write(rest.toString('utf8'));
  splitter.end();
  flush();
  await new Promise((done) => (child.exitCode === null ? child.once('close', done) : done(null)));
  return { findings, scanned: source === 'history' ? commits.size : files.size };
}

/** Scans the git history: {@link scanDiff} over every commit. */
export function scanHistory(
  repoRoot: string,
  configured: readonly ConfiguredValue[],
): Promise<ScanSummary> {
  return scanDiff(repoRoot, configured, 'history');
}
