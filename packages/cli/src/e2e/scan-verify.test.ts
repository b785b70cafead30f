import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Sandbox, type SandboxKey, startSandbox } from '@exkeys/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sarifErrors } from '../test-sarif.js';
import { cliProjects, exkeys, leakedFragments, type TempProject } from './test-cli.js';

// Canary credentials of the real shapes, random-looking so the scanner's rules find them. The
// sandbox knows all but UNKNOWN; TRADE keys read and trade, WITHDRAW keys can also withdraw.
const fill = (length: number, prefix: string) =>
  (prefix + '7Qx2Lm9Zr4Tk8Wn3Vb6Hy5Jd1Pq'.repeat(4)).slice(0, length);
const KEYS = {
  bybitTrade: {
    exchange: 'bybit',
    apiKey: fill(18, 'CANtr'),
    apiSecret: fill(36, 'CANARYtradeSECRET'),
    permissions: { read: true, trade: true, withdraw: false },
  },
  bybitWithdraw: {
    exchange: 'bybit',
    apiKey: fill(18, 'CANwd'),
    apiSecret: fill(36, 'CANARYdrainSECRET'),
    permissions: { read: true, trade: true, withdraw: true },
  },
  binanceTrade: {
    exchange: 'binance',
    apiKey: fill(64, 'CANbnKEY'),
    apiSecret: fill(64, 'CANARYbinanceSECRET'),
    permissions: { read: true, trade: true, withdraw: false },
  },
  okxTrade: {
    exchange: 'okx',
    apiKey: '3f6a9c2e-7b14-4d8a-9e5f-1c0b2a4d6e8f',
    apiSecret: 'C4A7E1B9D3F5082A6C4E9B1D7F3A5C02',
    passphrase: 'CanaryOkx-Pass9',
    permissions: { read: true, trade: true, withdraw: false },
  },
} satisfies Record<string, SandboxKey>;
const UNKNOWN = { apiKey: fill(18, 'CANuk'), apiSecret: fill(36, 'CANARYunknownSECRET') };
const SECRETS = [
  ...Object.values(KEYS).flatMap((k) => [k.apiSecret, 'passphrase' in k ? k.passphrase : '']),
  UNKNOWN.apiSecret,
].filter(Boolean);
const KEY_IDS = [...Object.values(KEYS).map((k) => k.apiKey), UNKNOWN.apiKey];

let sandbox: Sandbox;
let project: TempProject;
const newProject = cliProjects();
beforeAll(async () => {
  sandbox = await startSandbox({ keys: Object.values(KEYS) });
});
afterAll(async () => sandbox?.close());

/** No secret (nor 8 characters of one) and no key beyond its 6-character preview. */
function expectNothingLeaked(text: string): void {
  for (const secret of SECRETS) expect(leakedFragments(text, secret)).toEqual([]);
  for (const key of KEY_IDS) expect(text).not.toContain(key.slice(0, 7));
}

function plant(dir: string): void {
  mkdirSync(join(dir, 'bots'));
  const bybit = (k: { apiKey: string; apiSecret: string }) =>
    `const client = new ccxt.bybit({\n  apiKey: '${k.apiKey}',\n  secret: '${k.apiSecret}',\n});\n`;
  writeFileSync(join(dir, 'bots', 'trade.js'), bybit(KEYS.bybitTrade));
  writeFileSync(join(dir, 'bots', 'drain.js'), bybit(KEYS.bybitWithdraw));
  writeFileSync(join(dir, 'bots', 'stale.js'), bybit(UNKNOWN));
  writeFileSync(
    join(dir, 'bots', 'binance.py'),
    `exchange = ccxt.binance({\n    "apiKey": "${KEYS.binanceTrade.apiKey}",\n    "secret": "${KEYS.binanceTrade.apiSecret}",\n})\n`,
  );
  writeFileSync(
    join(dir, 'bots', 'okx.env'),
    `# okx\nOKX_KEY=${KEYS.okxTrade.apiKey}\nOKX_SECRET=${KEYS.okxTrade.apiSecret}\nOKX_PASSPHRASE=${KEYS.okxTrade.passphrase}\n`,
  );
  // A key alone: nothing to sign with, so nothing is sent for it.
  writeFileSync(
    join(dir, 'bots', 'lonely.js'),
    `// bybit\nconst apiKey = '${fill(18, 'CANlo')}';\n`,
  );
}

interface Finding {
  file: string;
  line: number;
  rule: string;
  verification?: { rank: string; reason: string };
}

const signedRequests = () => sandbox.requests.filter((request) => request.keyPreview !== null);

describe('exkeys scan --verify (against the sandbox)', () => {
  it('ranks each paired finding can-withdraw, can-trade, invalid or unverifiable, after a loud warning', async () => {
    project = newProject({ git: true });
    plant(project.dir);
    const before = signedRequests().length;

    const result = await exkeys(project, [
      'scan',
      '--verify',
      '--format',
      'json',
      '--base-url',
      sandbox.url,
    ]);

    expect(result.code, result.stderr).toBe(1);
    const findings = JSON.parse(result.stdout) as Finding[];
    const ranks = findings.map((f) => `${f.file}:${f.line}:${f.rule}:${f.verification?.rank}`);
    expect(ranks.sort()).toEqual(
      [
        'bots/binance.py:2:binance-key-or-secret:can-trade',
        'bots/binance.py:3:binance-key-or-secret:can-trade',
        'bots/drain.js:2:bybit-key:can-withdraw',
        'bots/drain.js:3:bybit-secret:can-withdraw',
        'bots/lonely.js:2:bybit-key:unverifiable',
        'bots/okx.env:2:okx-key:can-trade',
        'bots/okx.env:3:okx-secret:can-trade',
        'bots/stale.js:2:bybit-key:invalid',
        'bots/stale.js:3:bybit-secret:invalid',
        'bots/trade.js:2:bybit-key:can-trade',
        'bots/trade.js:3:bybit-secret:can-trade',
      ].sort(),
    );
    const reasonOf = (file: string) => findings.find((f) => f.file === file)?.verification?.reason;
    expect(reasonOf('bots/lonely.js')).toBe('no bybit secret in the same file');
    expect(reasonOf('bots/stale.js')).toContain('invalid-key');
    expect(reasonOf('bots/okx.env')).toBe('paired with lines 2 and 3, passphrase on line 4');
    // The warning names the host the credentials go to, and comes before the results.
    const host = new URL(sandbox.url).host;
    expect(result.stderr).toContain('WARNING: --verify sends the credentials found');
    expect(result.stderr).toContain(`bybit → ${host}`);
    expect(result.stderr).toContain(`okx → ${host}`);
    // Each credential was sent (the lonely key was not), with read-only calls only.
    const requests = signedRequests().slice(before);
    expect(requests.map((request) => request.method)).toEqual(requests.map(() => 'GET'));
    const sent = requests.map((request) => request.keyPreview);
    for (const key of [KEYS.bybitTrade, KEYS.bybitWithdraw, KEYS.okxTrade, UNKNOWN]) {
      expect(sent).toContain(`${key.apiKey.slice(0, 6)}…`);
    }
    expect(sent).not.toContain('CANlo7…');
    expectNothingLeaked(result.stdout + result.stderr);
  });

  it('text and SARIF show the ranks; EXKEYS_BASE_URL is honoured like verify', async () => {
    project = newProject({ git: true });
    plant(project.dir);
    const env = { EXKEYS_BASE_URL: sandbox.url };

    const text = await exkeys(project, ['scan', '--verify', 'bots/drain.js', 'bots/stale.js'], {
      env,
    });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/bots\/drain\.js:2\s+bybit-key\s+CANwd7…\s+CAN-WITHDRAW/);
    expect(text.stdout).toMatch(/bots\/stale\.js:3\s+bybit-secret\s+\[redacted\]\s+invalid/);
    expect(text.stderr).toContain(`bybit → ${new URL(sandbox.url).host}`);
    expectNothingLeaked(text.stdout + text.stderr);

    const sarif = await exkeys(project, ['scan', '--verify', '--format', 'sarif', 'bots'], { env });
    const log = JSON.parse(sarif.stdout) as {
      runs: Array<{
        results: Array<{ level: string; properties: Record<string, string> }>;
      }>;
    };
    expect(sarifErrors(log)).toEqual([]);
    const results = log.runs[0]?.results ?? [];
    expect(results.map((r) => r.properties.verification).sort()).toContain('can-withdraw');
    const invalid = results.filter((r) => r.properties.verification === 'invalid');
    expect(invalid.map((r) => r.level)).toEqual(['warning', 'warning']);
    expect(results.filter((r) => r.properties.verification === 'can-trade').length).toBe(6);
    expectNothingLeaked(sarif.stdout + sarif.stderr);
  });

  it('a secret near two keys keeps its best rank; the wrong key is still invalid (control)', async () => {
    project = newProject({ git: true });
    const k = KEYS.bybitTrade;
    // The old key one line below the secret: both keys pair with the one secret.
    writeFileSync(
      join(project.dir, 'bot.js'),
      `// bybit\nconst apiKey = '${k.apiKey}';\nconst secret = '${k.apiSecret}';\nconst oldKey = '${UNKNOWN.apiKey}';\n`,
    );
    const result = await exkeys(project, ['scan', '--verify', '--json'], {
      env: { EXKEYS_BASE_URL: sandbox.url },
    });
    const findings = JSON.parse(result.stdout) as Finding[];
    expect(findings.map((f) => `${f.line}:${f.rule}:${f.verification?.rank}`)).toEqual([
      '2:bybit-key:can-trade',
      '3:bybit-secret:can-trade',
      '4:bybit-key:invalid',
    ]);
    expectNothingLeaked(result.stdout + result.stderr);
  });

  it('with --history, a key deleted from the tree but still in a commit is ranked', async () => {
    project = newProject({ git: true });
    const bot = join(project.dir, 'bot.js');
    const k = KEYS.bybitWithdraw;
    writeFileSync(
      bot,
      `// bybit\nconst apiKey = '${k.apiKey}';\nconst secret = '${k.apiSecret}';\n`,
    );
    project.git('add', '.');
    project.git('commit', '-q', '-m', 'bot');
    const env = { EXKEYS_BASE_URL: sandbox.url };
    // What one verification of the key costs, from the tree alone.
    let before = signedRequests().length;
    await exkeys(project, ['scan', '--verify', '--json'], { env });
    const once = signedRequests().length - before;
    expect(once).toBeGreaterThan(0);

    // Found twice (tree and commit), sent once.
    before = signedRequests().length;
    const both = await exkeys(project, ['scan', '--verify', '--history', '--json'], { env });
    expect((JSON.parse(both.stdout) as Finding[]).map((f) => f.verification?.rank)).toEqual([
      'can-withdraw',
      'can-withdraw',
      'can-withdraw',
      'can-withdraw',
    ]);
    expect(signedRequests().length - before).toBe(once);

    writeFileSync(bot, '// bybit\nconst apiKey = process.env.BYBIT_API_KEY;\n');
    project.git('commit', '-q', '-am', 'keys from the environment');
    const result = await exkeys(project, ['scan', '--verify', '--history', '--json'], { env });

    const findings = JSON.parse(result.stdout) as Array<Finding & { commit?: string }>;
    expect(
      findings.map((f) => `${f.commit !== undefined}:${f.line}:${f.verification?.rank}`),
    ).toEqual(['true:2:can-withdraw', 'true:3:can-withdraw']);
    expectNothingLeaked(result.stdout + result.stderr + both.stdout + both.stderr);
  });

  it('control: without --verify nothing is sent and nothing is ranked', async () => {
    project = newProject({ git: true });
    plant(project.dir);
    const before = sandbox.requests.length;

    const result = await exkeys(project, ['scan', '--format', 'json'], {
      env: { EXKEYS_BASE_URL: sandbox.url },
    });

    const findings = JSON.parse(result.stdout) as Finding[];
    expect(findings.length).toBe(11);
    expect(findings.filter((f) => f.verification !== undefined)).toEqual([]);
    expect(sandbox.requests.length).toBe(before);
    expect(result.stderr).not.toContain('WARNING');
  });

  it('a finding with nothing to pair sends nothing and says so', async () => {
    project = newProject({ git: true });
    plant(project.dir);
    const before = sandbox.requests.length;

    const result = await exkeys(project, ['scan', '--verify', '--json', 'bots/lonely.js'], {
      env: { EXKEYS_BASE_URL: sandbox.url },
    });

    expect(result.stderr).toContain('nothing was sent');
    expect(result.stderr).not.toContain('WARNING');
    expect(sandbox.requests.length).toBe(before);
  });
});
