/**
 * `exkeys scan` finds what `grep -rF` finds (issue 9 §3): each case is a real git repository in a
 * temporary directory holding canary values, with a control that must stay unreported so that a
 * scanner reporting everything cannot pass.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  CANARY_OKX_KEY,
  CANARY_OKX_SECRET,
  cliProjects,
  exkeys,
  leakedFragments,
  type TempProject,
} from './test-cli.js';

const newProject = cliProjects();

interface Finding {
  file: string;
  line: number;
  commit?: string;
  rule: string;
  exchange: string;
  variable?: string;
  encoding?: string;
  preview: string;
}

// A passphrase with characters that URL- and JSON-encoding change.
const OKX_PASSPHRASE = 'Canary Pass/8x+Q"z';
// Bybit-shaped values that, unlike the shared canaries, do not contain the word "bybit": the
// exchange name must come from the context.
const KEY = 'CANARYk3yQ7pLmZ2xW';
const SECRET = 'CANARYs3cR7tQpLmZ2xW8vN4bT6yU1iO5pA9';
const LONG_SECRET = 'CANARYl0ngS3cR7tQpLmZ2xW8vN4bT6yU1iO5pA9eR4tY7uI';

async function scanJson(project: TempProject, args: string[] = []) {
  const result = await exkeys(project, ['scan', '--json', ...args]);
  expect(result.code, result.stderr).not.toBe(2);
  const findings = JSON.parse(result.stdout) as Finding[];
  for (const secret of [
    CANARY_BYBIT_SECRET,
    CANARY_OKX_SECRET,
    OKX_PASSPHRASE,
    SECRET,
    LONG_SECRET,
  ]) {
    expect(leakedFragments(result.stdout + result.stderr, secret)).toEqual([]);
  }
  expect(result.stdout + result.stderr).not.toContain(CANARY_BYBIT_KEY.slice(0, 7));
  expect(result.stdout + result.stderr).not.toContain(KEY.slice(0, 7));
  return {
    code: result.code,
    findings,
    where: findings.map((f) => `${f.file}:${f.line}:${f.rule}`),
  };
}

/** A project whose .env holds the canary Bybit and OKX keys (so configured values apply). */
async function withStore(): Promise<TempProject> {
  const project = newProject({ git: true });
  const bybit = await exkeys(project, ['set', 'bybit'], {
    input: `${CANARY_BYBIT_KEY}\n${CANARY_BYBIT_SECRET}\n`,
  });
  expect(bybit.code, bybit.stderr).toBe(0);
  const okx = await exkeys(project, ['set', 'okx'], {
    input: `${CANARY_OKX_KEY}\n${CANARY_OKX_SECRET}\n${OKX_PASSPHRASE}\n`,
  });
  expect(okx.code, okx.stderr).toBe(0);
  writeFileSync(join(project.dir, '.gitignore'), '.env\n');
  return project;
}

describe('exkeys scan finds what grep finds', () => {
  it('a ccxt config object whose exchange name is more than 2 lines above the key', async () => {
    const project = newProject({ git: true });
    const config = [
      "import ccxt from 'ccxt';",
      'const client = new ccxt.bybit({',
      '  enableRateLimit: true,',
      '  options: {',
      "    defaultType: 'spot',",
      '    recvWindow: 5000,',
      '  },',
      `  apiKey: '${KEY}',`,
      `  secret: '${SECRET}',`,
      '});',
    ];
    // Control: the same shapes 30 lines from any exchange name.
    const far = [...Array.from({ length: 30 }, (_, i) => `// line ${i}`), `x = '${SECRET}';`];
    writeFileSync(join(project.dir, 'bot.ts'), `${config.join('\n')}\n`);
    writeFileSync(
      join(project.dir, 'far.ts'),
      `${config.slice(0, 2).join('\n')}\n${far.join('\n')}\n`,
    );
    const { code, where } = await scanJson(project);
    expect(code).toBe(1);
    expect(where).toEqual(['bot.ts:8:bybit-key', 'bot.ts:9:bybit-secret']);
  });

  it('a Kraken key and base64 private key, whose + / and = split ordinary tokens', async () => {
    const project = newProject({ git: true });
    // Shapes of https://docs.kraken.com/api-reference/account-data/get-api-key-info (56-character
    // key) and Kraken's base64 private key (64 bytes, 88 characters with == padding).
    const key = 'CANARYkr/aKEN+pLmZ2xW8vN4bT6yU1iO5pA9eR4tY7uI3oP0aS5dF7g';
    const secret = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 151 + 7) % 256)).toString(
      'base64',
    );
    expect([key.length, secret.length]).toEqual([56, 88]);
    expect(secret).toMatch(/[+/]/);
    writeFileSync(
      join(project.dir, 'kraken.py'),
      `client = ccxt.kraken({\n  'apiKey': '${key}',\n  'secret': '${secret}',\n})\n`,
    );
    // Control: the same values with no exchange name near them.
    writeFileSync(
      join(project.dir, 'far.py'),
      `${Array.from({ length: 30 }, (_, i) => `# line ${i}`).join('\n')}\nx = '${secret}'\n`,
    );
    const result = await exkeys(project, ['scan', '--json']);
    expect(result.code, result.stderr).toBe(1);
    const findings = JSON.parse(result.stdout) as Finding[];
    expect(findings.map((f) => `${f.file}:${f.line}:${f.rule}`)).toEqual([
      'kraken.py:2:kraken-key',
      'kraken.py:3:kraken-secret',
    ]);
    expect(findings.map((f) => f.preview)).toEqual(['CANARY…', '[redacted]']);
    expect(leakedFragments(result.stdout + result.stderr, secret)).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain(key.slice(0, 7));
  });

  it('a value in a notebook after a JSON \\n', async () => {
    const project = newProject({ git: true });
    const notebook = {
      cells: [
        {
          cell_type: 'code',
          source: ['import ccxt\n', 'ex = ccxt.bybit()\n'],
          outputs: [{ text: [`bybit login\n${LONG_SECRET}\nfiller\n${'Ab'.repeat(20)}\n`] }],
        },
      ],
    };
    writeFileSync(join(project.dir, 'explore.ipynb'), JSON.stringify(notebook, null, 1));
    const { where } = await scanJson(project);
    expect(JSON.stringify(notebook, null, 1).split('\n')[11]).toContain(LONG_SECRET);
    expect(where).toEqual(['explore.ipynb:12:bybit-secret']);
  });

  it('configured values encoded as base64, hex or URL-encoding, with no exchange name nearby', async () => {
    const project = await withStore();
    const basic = Buffer.from(`${CANARY_BYBIT_KEY}:${CANARY_BYBIT_SECRET}`).toString('base64');
    writeFileSync(
      join(project.dir, 'requests.log'),
      [
        `Authorization: Basic ${basic}`,
        `dump ${Buffer.from(CANARY_OKX_SECRET).toString('hex')}`,
        `GET /x?pass=${encodeURIComponent(OKX_PASSPHRASE)}`,
        `meta ${Buffer.from('not a secret at all, just words').toString('base64')}`,
        '',
      ].join('\n'),
    );
    const { findings } = await scanJson(project);
    expect(
      findings.map((f) => `${f.file}:${f.line}:${f.variable}:${f.encoding}:${f.preview}`),
    ).toEqual([
      'requests.log:1:BYBIT_API_SECRET:base64:[redacted]',
      'requests.log:1:BYBIT_API_KEY:base64:CANARY…',
      'requests.log:2:OKX_API_SECRET:hex:[redacted]',
      'requests.log:3:OKX_API_PASSPHRASE:url:[redacted]',
    ]);
    // The encoded forms are not echoed either.
    const text = await exkeys(project, ['scan']);
    expect(text.stdout + text.stderr).not.toContain(basic.slice(4, 16));
  });

  it('a configured value split across two string literals', async () => {
    const project = await withStore();
    const half = 10;
    writeFileSync(
      join(project.dir, 'settings.py'),
      [
        `SECRET = ("${CANARY_BYBIT_SECRET.slice(0, half)}"`,
        `          "${CANARY_BYBIT_SECRET.slice(half)}")`,
        `other = '${CANARY_BYBIT_SECRET.slice(0, half)}'`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(project.dir, 'config.js'),
      `const s = '${CANARY_OKX_SECRET.slice(0, 10)}' + '${CANARY_OKX_SECRET.slice(10)}';\n`,
    );
    const { where } = await scanJson(project);
    expect(where.sort()).toEqual([
      'config.js:1:configured-value',
      'settings.py:2:configured-value',
    ]);
  });

  it('a file with an early NUL byte, and UTF-16 files with and without a byte-order mark', async () => {
    const project = newProject({ git: true });
    const line = `bybit secret ${CANARY_BYBIT_SECRET}\n`;
    writeFileSync(
      join(project.dir, 'dump.bin'),
      Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(`x\n${line}`)]),
    );
    writeFileSync(
      join(project.dir, 'le-bom.txt'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(line, 'utf16le')]),
    );
    writeFileSync(join(project.dir, 'le.txt'), Buffer.from(`note\n${line}`, 'utf16le'));
    const be = Buffer.from(line, 'utf16le').swap16();
    writeFileSync(join(project.dir, 'be-bom.txt'), Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    // Control: random bytes hold no finding.
    writeFileSync(
      join(project.dir, 'noise.bin'),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 251)),
    );
    const { where } = await scanJson(project);
    expect(where.sort()).toEqual([
      'be-bom.txt:1:bybit-secret',
      'dump.bin:2:bybit-secret',
      'le-bom.txt:1:bybit-secret',
      'le.txt:2:bybit-secret',
    ]);
  });

  it('a file over 10 MB, in the working tree and in history', async () => {
    const project = newProject({ git: true });
    const path = join(project.dir, 'big.log');
    const fd = openSync(path, 'w');
    const block = `${'log line without anything interesting in it, padding padding\n'.repeat(1000)}`;
    let lines = 0;
    for (let written = 0; written < 11 * 1024 * 1024; written += block.length) {
      writeSync(fd, block);
      lines += 1000;
    }
    writeSync(fd, `bybit secret ${CANARY_BYBIT_SECRET}\ntail\n`);
    closeSync(fd);
    const tree = await scanJson(project);
    expect(tree.where).toEqual([`big.log:${lines + 1}:bybit-secret`]);
    project.git('add', 'big.log');
    project.git('commit', '-q', '-m', 'logs');
    project.git('rm', '-q', 'big.log');
    project.git('commit', '-q', '-m', 'remove logs');
    const history = await scanJson(project, ['--history']);
    expect(history.where).toEqual([`big.log:${lines + 1}:bybit-secret`]);
  }, 60_000);

  it('a secret added in a merge commit', async () => {
    const project = newProject({ git: true });
    writeFileSync(join(project.dir, 'bot.js'), '// bybit bot\nconst a = 1;\n');
    project.git('add', '.');
    project.git('commit', '-q', '-m', 'start');
    project.git('checkout', '-q', '-b', 'feature');
    writeFileSync(join(project.dir, 'feature.js'), 'export const feature = true;\n');
    project.git('add', '.');
    project.git('commit', '-q', '-m', 'feature');
    project.git('checkout', '-q', 'main');
    writeFileSync(join(project.dir, 'main.js'), 'export const main = true;\n');
    project.git('add', '.');
    project.git('commit', '-q', '-m', 'main work');
    project.git('merge', '-q', '--no-ff', '--no-commit', 'feature');
    // The merge itself adds the key: no parent has it.
    writeFileSync(
      join(project.dir, 'bot.js'),
      `// bybit bot\nconst a = 1;\nconst secret = '${CANARY_BYBIT_SECRET}';\n`,
    );
    project.git('add', 'bot.js');
    project.git('commit', '-q', '-m', 'merge feature');
    const merge = project.git('rev-parse', 'HEAD').trim().slice(0, 12);
    project.git('rm', '-q', 'bot.js');
    project.git('commit', '-q', '-m', 'remove');
    const { findings } = await scanJson(project, ['--history']);
    // Once, at the merge: the merged-in branch's own lines are not reported again.
    expect(findings.map((f) => `${f.commit} ${f.file}:${f.line}:${f.rule}`)).toEqual([
      `${merge} bot.js:3:bybit-secret`,
    ]);
  });

  it('a path the user names explicitly, even when it is gitignored', async () => {
    const project = newProject({ git: true });
    writeFileSync(join(project.dir, '.gitignore'), 'debug.log\nlogs/\n');
    writeFileSync(join(project.dir, 'debug.log'), `bybit secret ${CANARY_BYBIT_SECRET}\n`);
    spawnSync('mkdir', [join(project.dir, 'logs')]);
    writeFileSync(join(project.dir, 'logs', 'a.log'), `bybit key ${CANARY_BYBIT_KEY}\n`);
    // Control: not named, so .gitignore applies.
    expect((await scanJson(project)).where).toEqual([]);
    expect((await scanJson(project, ['debug.log'])).where).toEqual(['debug.log:1:bybit-secret']);
    expect((await scanJson(project, ['logs'])).where).toEqual(['logs/a.log:1:bybit-key']);
  });

  it('a FIFO in the tree or named explicitly is skipped, not waited on', async () => {
    const project = newProject({ git: true });
    writeFileSync(join(project.dir, 'notes.txt'), `bybit secret ${CANARY_BYBIT_SECRET}\n`);
    expect(spawnSync('mkfifo', [join(project.dir, 'pipe')]).status).toBe(0);
    const named = await scanJson(project, ['pipe', 'notes.txt']);
    expect(named.where).toEqual(['notes.txt:1:bybit-secret']);
    expect((await scanJson(project)).where).toEqual(['notes.txt:1:bybit-secret']);
  });

  it('a downloaded bybit-rsa-private.pem, and any PEM private key by its header alone', async () => {
    const project = newProject({ git: true });
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC\n-----END PRIVATE KEY-----\n';
    writeFileSync(join(project.dir, 'bybit-rsa-private.pem'), pem);
    writeFileSync(join(project.dir, 'private.pem'), pem);
    // Control: a public key is no secret.
    writeFileSync(join(project.dir, 'bybit-rsa-public.pem'), pem.replaceAll('PRIVATE', 'PUBLIC'));
    expect((await scanJson(project)).where).toEqual([
      'bybit-rsa-private.pem:1:bybit-private-key',
      'private.pem:1:private-key',
    ]);
  });

  it('the summary line counts files with findings, not files scanned', async () => {
    const project = newProject({ git: true });
    writeFileSync(
      join(project.dir, 'a.js'),
      `// bybit\nk = '${CANARY_BYBIT_KEY}'\ns = '${CANARY_BYBIT_SECRET}'\n`,
    );
    writeFileSync(join(project.dir, 'b.js'), `// okx\nk = '${CANARY_OKX_KEY}'\n`);
    writeFileSync(join(project.dir, 'c.js'), 'clean\n');
    writeFileSync(join(project.dir, 'd.js'), 'clean\n');
    const result = await exkeys(project, ['scan']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('3 possible credentials found in 2 files (scanned 4 files).');
  });
});
