import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LINE_OVERLAP_CHARS, MAX_LINE_CHARS, STREAM_THRESHOLD } from './file-text.js';
import { BASE64_TOKEN_LENGTHS, configuredValues, TOKEN_MIN_LENGTH } from './leak-rules.js';
import { mayMatch, mayMatchBytes, scanDiff, scanFile, scanLines } from './scanner.js';

const dir = mkdtempSync(join(tmpdir(), 'exkeys-scanner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Canary values of Bybit's shapes (36-character secret), random-looking, never real.
const CUT_SECRET = 'CANARYcut7Qx2Lm9Zr4Tk8Wn3Vb6Hy5Jd1Pq';
const OVERLAP_SECRET = 'CANARYovl4Rt8Ke2Wq6Zm1Xn9Bv3Cs7Fg5Hj';
const CHUNK_SECRET = 'CANARYchk3Mp7Lq1Zx5Tw9Rv2Ny8Kb4Gd6Fh';
const NEXT_LINE_SECRET = 'CANARYnxt8Df2Gh6Jk1Lz5Xc9Vb3Nm7Qw4Er';

/** A line of `length` characters with no token in it, holding `values` at the given offsets. */
function longLine(length: number, values: ReadonlyArray<[number, string]>): string {
  const chars = '. '
    .repeat(Math.ceil(length / 2))
    .slice(0, length)
    .split('');
  for (const [at, value] of values) chars.splice(at, value.length, ...value.split(''));
  return chars.join('');
}

describe('files over the streaming threshold', () => {
  it('a value the cut of a too-long line goes through is found, once, on its own line', async () => {
    const length = MAX_LINE_CHARS + 600_000;
    expect(length).toBeGreaterThan(STREAM_THRESHOLD);
    const line = longLine(length, [
      // Through the cut: only its first 18 characters (a Bybit key's shape) are in the first piece.
      [MAX_LINE_CHARS - 18, CUT_SECRET],
      // Wholly inside the characters both pieces share: seen twice, reported once.
      [MAX_LINE_CHARS - LINE_OVERLAP_CHARS / 2, OVERLAP_SECRET],
      // Through the boundary of the 256 KiB reads (5 of them), where the line was cut before.
      [5 * 256 * 1024 - 20, CHUNK_SECRET],
    ]);
    const path = join(dir, 'bybit-export.txt');
    writeFileSync(path, `${line}\nsecret = "${NEXT_LINE_SECRET}"\n`);

    const findings = await scanFile(path, 'bybit-export.txt', []);

    expect(findings).toBeDefined();
    const seen = (findings ?? []).map((f) => `${f.line}:${f.rule}:${f.preview}`).sort();
    expect(seen).toEqual([
      '1:bybit-secret:[redacted]',
      '1:bybit-secret:[redacted]',
      '1:bybit-secret:[redacted]',
      '2:bybit-secret:[redacted]',
    ]);
    // No finding for a piece of a value (a truncated 18-character "key").
    expect((findings ?? []).some((f) => f.rule === 'bybit-key')).toBe(false);
    expect(JSON.stringify(findings)).not.toContain('CANARY');
  });

  it('store values through the cut are found as configured values', async () => {
    const length = MAX_LINE_CHARS + 600_000;
    const line = longLine(length, [
      [MAX_LINE_CHARS - 10, CUT_SECRET],
      [5 * 256 * 1024 - 10, CHUNK_SECRET],
    ]);
    const path = join(dir, 'dump.log');
    writeFileSync(path, `${line}\n`);
    const configured = configuredValues({
      BYBIT_API_SECRET: CUT_SECRET,
      BYBIT_GRID_API_SECRET: CHUNK_SECRET,
    });

    const findings = await scanFile(path, 'dump.log', configured);

    expect(findings?.map((f) => `${f.line}:${f.rule}:${f.variable}`).sort()).toEqual([
      '1:configured-value:BYBIT_API_SECRET',
      '1:configured-value:BYBIT_GRID_API_SECRET',
    ]);
    // Control: the same file without the values holds nothing.
    writeFileSync(path, `${longLine(length, [])}\n`);
    expect(await scanFile(path, 'dump.log', configured)).toEqual([]);
  });
});

describe('history lines over the limit', () => {
  it('a value the cut of a too-long added line goes through is found in the commit, once', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    const git = (...args: string[]) => {
      const result = spawnSync('git', args, {
        cwd: repo,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_AUTHOR_NAME: 'T',
          GIT_AUTHOR_EMAIL: 't@example.invalid',
          GIT_COMMITTER_NAME: 'T',
          GIT_COMMITTER_EMAIL: 't@example.invalid',
        },
      });
      if (result.status !== 0) throw new Error(result.stderr);
      return result.stdout;
    };
    git('init', '-q', '-b', 'main');
    // The diff line is `+` and the text: the cut falls 17 characters into the secret.
    const line = longLine(MAX_LINE_CHARS + 300_000, [
      [MAX_LINE_CHARS - 18, CUT_SECRET],
      [MAX_LINE_CHARS - LINE_OVERLAP_CHARS / 2, OVERLAP_SECRET],
    ]);
    writeFileSync(join(repo, 'bybit.log'), `${line}\nsecret = "${NEXT_LINE_SECRET}"\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'log');

    const { findings } = await scanDiff(repo, [], 'history');

    expect(findings.map((f) => `${f.file}:${f.line}:${f.rule}`).sort()).toEqual([
      'bybit.log:1:bybit-secret',
      'bybit.log:1:bybit-secret',
      'bybit.log:2:bybit-secret',
    ]);
  });
});

describe('mayMatch (the whole-file test that lets most files skip line splitting)', () => {
  const [base64Min] = BASE64_TOKEN_LENGTHS;
  const naive = (text: string) =>
    new RegExp(`[A-Za-z0-9-]{${TOKEN_MIN_LENGTH}}`).test(text) ||
    (base64Min > 0 && new RegExp(`[A-Za-z0-9+/=]{${base64Min}}`).test(text)) ||
    text.includes('-----BEGIN');

  it('agrees with the plain regular expression on any text', () => {
    // Short words, separators and the occasional long run, so both answers come up often.
    const piece = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9-]{1,30}$/),
      fc.constantFrom(
        '+',
        '/',
        '=',
        ' ',
        '\n',
        '.',
        '"',
        '_',
        '-----BEGIN',
        '\\n',
        'é',
        '€',
        '\u{1f511}',
        '\ufeff',
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        expect(mayMatch(text)).toBe(naive(text));
        // Before decoding: the same answer from the UTF-8 bytes.
        expect(mayMatchBytes(Buffer.from(text, 'utf8'))).toBe(naive(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a run at the very start, the very end, and one exactly as long as the shortest rule', () => {
    const run = 'a1B2c3D4e5F6g7H8i9J0k'.slice(0, TOKEN_MIN_LENGTH);
    expect(mayMatch(run)).toBe(true);
    expect(mayMatch(`${run} tail`)).toBe(true);
    expect(mayMatch(`head ${run}`)).toBe(true);
    expect(mayMatch(`x ${run.slice(1)} y ${run.slice(2)}`)).toBe(false);
    expect(mayMatch('')).toBe(false);
  });
});

describe('Coinbase key names', () => {
  it('reports the key id of organizations/{org}/apiKeys/{key} once, never the organisation id', () => {
    const org = randomUUID();
    const key = randomUUID();
    const lines = [
      { text: `COINBASE_API_KEY=organizations/${org}/apiKeys/${key}`, number: 1, report: true },
    ];
    const findings = scanLines(lines, { file: 'bot.env' }, []);
    expect(findings.map((f) => [f.rule, f.preview])).toEqual([
      ['coinbase-key', `${key.slice(0, 6)}…`],
    ]);
    // Control: the bare key id alone is found too.
    const bare = scanLines(
      [{ text: `COINBASE_API_KEY=${key}`, number: 1, report: true }],
      { file: 'bot.env' },
      [],
    );
    expect(bare.map((f) => f.rule)).toEqual(['coinbase-key']);
  });
});
