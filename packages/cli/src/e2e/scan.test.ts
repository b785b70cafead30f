import { mkdirSync, writeFileSync } from 'node:fs';
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

let project: TempProject;
const newProject = cliProjects();

interface Finding {
  file: string;
  line: number;
  commit?: string;
  rule: string;
  variable?: string;
  preview: string;
}

const BINANCE_SECRET = 'CANARYbinance0SECRET7f3k9QmZ2xW8vL4nR6tY1uI5oP0aS3dF7gH2jK9lZ4cX';

function expectMasked(text: string): void {
  for (const secret of [CANARY_BYBIT_SECRET, CANARY_OKX_SECRET, BINANCE_SECRET]) {
    expect(leakedFragments(text, secret)).toEqual([]);
  }
  // A key shows at most its first 6 characters.
  expect(text).not.toContain(CANARY_BYBIT_KEY.slice(0, 7));
  expect(text).not.toContain(CANARY_OKX_KEY.slice(0, 7));
}

describe('exkeys scan', () => {
  it('finds key-shaped strings near exchange names, masked, with file:line, and exits 1', async () => {
    project = newProject({ git: true });
    writeFileSync(
      join(project.dir, 'config.js'),
      [
        'export const config = {',
        `  bybit: { key: '${CANARY_BYBIT_KEY}', secret: '${CANARY_BYBIT_SECRET}' },`,
        '  // OKX',
        `  okxKey: '${CANARY_OKX_KEY}',`,
        `  okxSecret: '${CANARY_OKX_SECRET}',`,
        '};',
        `const binance = '${BINANCE_SECRET}';`,
      ].join('\n'),
    );
    // The same shapes far from any exchange name, or obviously filler, are not reported.
    writeFileSync(
      join(project.dir, 'other.txt'),
      `hash ${'ab12'.repeat(8)}\nid 123e4567-e89b-12d3-a456-426614174000\n${'x'.repeat(36)} bybit\n`,
    );
    const text = await exkeys(project, ['scan']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/config\.js:2 {2}bybit-key {2}CANARY…/);
    expect(text.stdout).toMatch(/config\.js:2 {2}bybit-secret {2}\[redacted\]/);
    expect(text.stdout).toMatch(/config\.js:4 {2}okx-key {2}0a1b2c…/);
    expect(text.stdout).toMatch(/config\.js:5 {2}okx-secret {2}\[redacted\]/);
    expect(text.stdout).toMatch(/config\.js:7 {2}binance-key-or-secret {2}\[redacted\]/);
    expect(text.stdout).not.toContain('other.txt');
    expectMasked(text.stdout + text.stderr);

    const json = JSON.parse((await exkeys(project, ['scan', '--json'])).stdout) as Finding[];
    expect(json.map((finding) => `${finding.file}:${finding.line}:${finding.rule}`).sort()).toEqual(
      [
        'config.js:2:bybit-key',
        'config.js:2:bybit-secret',
        'config.js:4:okx-key',
        'config.js:5:okx-secret',
        'config.js:7:binance-key-or-secret',
      ],
    );
  });

  it('finds PEM private keys: for the exchange named nearby, else by the header alone', async () => {
    project = newProject({ git: true });
    const pem = [
      '-----BEGIN PRIVATE KEY-----',
      'MC4CAQAwBQYDK2VwBCIEIJ+CANARYpemBODYnotARealKeyAtAllxxxxxxxxxxxx',
      '-----END PRIVATE KEY-----',
    ];
    writeFileSync(join(project.dir, 'keys.py'), ['# binance ed25519 key', ...pem, ''].join('\n'));
    writeFileSync(join(project.dir, 'tls.pem'), [...pem, ''].join('\n'));
    const result = await exkeys(project, ['scan', '--json']);
    expect(result.code).toBe(1);
    const findings = JSON.parse(result.stdout) as Finding[];
    expect(findings.map((f) => `${f.file}:${f.line}:${f.rule}:${f.preview}`)).toEqual([
      'keys.py:2:binance-private-key:[redacted]',
      'tls.pem:1:private-key:[redacted]',
    ]);
    expect(result.stdout + result.stderr).not.toContain('CANARYpem');
  });

  it('finds the configured values anywhere, but not in the store itself', async () => {
    project = newProject({ git: true });
    await exkeys(project, ['set', 'bybit'], {
      input: `${CANARY_BYBIT_KEY}\n${CANARY_BYBIT_SECRET}\n`,
    });
    await exkeys(project, ['init']); // .gitignore for .env
    const clean = await exkeys(project, ['scan']);
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('No exchange credentials found');

    // No exchange name nearby: only the exact-value rule can catch it.
    mkdirSync(join(project.dir, 'logs'));
    writeFileSync(
      join(project.dir, 'logs', 'debug.log'),
      `starting\nsigning with ${CANARY_BYBIT_SECRET}\n`,
    );
    const found = await exkeys(project, ['scan', '--json']);
    expect(found.code).toBe(1);
    expect(JSON.parse(found.stdout)).toEqual([
      {
        file: 'logs/debug.log',
        line: 2,
        rule: 'configured-value',
        exchange: 'bybit',
        variable: 'BYBIT_API_SECRET',
        preview: '[redacted]',
      },
    ]);
    expectMasked(found.stdout + found.stderr);
  });

  it('skips ignored files unless named, and node_modules', async () => {
    project = newProject({ git: true });
    writeFileSync(join(project.dir, '.gitignore'), 'ignored.txt\nnode_modules/\n');
    writeFileSync(join(project.dir, 'ignored.txt'), `bybit ${CANARY_BYBIT_SECRET}\n`);
    mkdirSync(join(project.dir, 'node_modules'));
    writeFileSync(join(project.dir, 'node_modules', 'x.js'), `bybit ${CANARY_BYBIT_SECRET}\n`);
    writeFileSync(join(project.dir, 'clean.txt'), 'nothing here\n');
    const result = await exkeys(project, ['scan']);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('No exchange credentials found in 2 files');
  });

  it('walks a plain directory outside git, skipping node_modules', async () => {
    project = newProject();
    mkdirSync(join(project.dir, 'node_modules', 'x'), { recursive: true });
    writeFileSync(
      join(project.dir, 'node_modules', 'x', 'index.js'),
      `bybit ${CANARY_BYBIT_SECRET}\n`,
    );
    expect((await exkeys(project, ['scan'])).code).toBe(0);
    writeFileSync(join(project.dir, 'notes.md'), `my bybit secret: ${CANARY_BYBIT_SECRET}\n`);
    const result = await exkeys(project, ['scan', 'notes.md']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('notes.md:1');
  });

  it('with --history, finds a secret committed and later deleted, naming the commit', async () => {
    project = newProject({ git: true });
    writeFileSync(join(project.dir, 'README.md'), '# bot\n');
    project.git('add', '.');
    project.git('commit', '-q', '-m', 'start');
    writeFileSync(
      join(project.dir, 'bot.js'),
      `// line 1\n// line 2\nconst BYBIT_SECRET = '${CANARY_BYBIT_SECRET}';\n`,
    );
    project.git('add', 'bot.js');
    project.git('commit', '-q', '-m', 'add bot');
    const leakCommit = project.git('rev-parse', 'HEAD').trim();
    project.git('rm', '-q', 'bot.js');
    project.git('commit', '-q', '-m', 'remove the key');

    const tree = await exkeys(project, ['scan']);
    expect(tree.code).toBe(0);
    const history = await exkeys(project, ['scan', '--history']);
    expect(history.code).toBe(1);
    expect(history.stdout).toContain(`${leakCommit.slice(0, 12)} bot.js:3`);
    expect(history.stdout).toContain('bybit-secret');
    expect(history.stderr).toMatch(/3 commits/);
    expectMasked(history.stdout + history.stderr);
    const json = JSON.parse(
      (await exkeys(project, ['scan', '--history', '--json'])).stdout,
    ) as Finding[];
    expect(json).toEqual([
      {
        file: 'bot.js',
        line: 3,
        commit: leakCommit.slice(0, 12),
        rule: 'bybit-secret',
        exchange: 'bybit',
        preview: '[redacted]',
      },
    ]);
  });

  it('--history outside a repository, and a path that does not exist, are usage errors', async () => {
    project = newProject();
    expect((await exkeys(project, ['scan', '--history'])).code).toBe(2);
    const typo = await exkeys(project, ['scan', 'srcc']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Nothing to scan at srcc');
  });
});
