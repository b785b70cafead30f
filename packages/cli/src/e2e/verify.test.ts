import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  demoKeys,
  demoSubAccountKeys,
  type Sandbox,
  type SandboxKey,
  startSandbox,
} from '@exkeys/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliProjects, exkeys, leakedFragments, type TempProject } from './test-cli.js';

// Keys the sandbox accepts: Bybit/Binance/OKX trade keys, withdraw-enabled keys, and spare keys for
// rotation. Shaped like real keys so the CLI's validation has no warnings to print.
const key = (exchange: SandboxKey['exchange'], tag: string, withdraw = false): SandboxKey => {
  const fill = (length: number, prefix: string) =>
    (prefix + '7Qx2Lm9Zr4Tk8Wn3Vb6'.repeat(6)).slice(0, length);
  if (exchange === 'okx') {
    const hex = (n: number) =>
      (tag.replace(/[^0-9a-f]/g, '') + 'a1b2c3d4e5f60718293a4b5c6d7e8f90'.repeat(2)).slice(0, n);
    return {
      exchange,
      apiKey: `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`,
      apiSecret: `C0FFEE${tag.toUpperCase()}`
        .padEnd(32, 'A')
        .replace(/[^0-9A-F]/g, 'B')
        .slice(0, 32),
      passphrase: `Pass-${tag}-okx9`,
      permissions: { read: true, trade: true, withdraw },
    };
  }
  if (exchange === 'kraken') {
    // A 56-character key and a base64 private key (88 letters and digits: whole base64 groups).
    return {
      exchange,
      apiKey: fill(56, `K${tag}${exchange}`),
      apiSecret: fill(88, `CANARYSECRET${tag}${exchange}`),
      permissions: { read: true, trade: true, withdraw },
    };
  }
  if (exchange === 'kucoin') {
    const hex = (n: number) =>
      (tag.replace(/[^0-9a-f]/g, '') + 'a1b2c3d4e5f60718293a4b5c6d7e8f90'.repeat(2)).slice(0, n);
    return {
      exchange,
      apiKey: `6${hex(23)}`,
      apiSecret: `c0ffee${hex(2)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`,
      passphrase: `Pass-${tag}-kucoin9`,
      permissions: { read: true, trade: true, withdraw },
    };
  }
  const [keyLength, secretLength] = exchange === 'bybit' ? [18, 36] : [64, 64];
  return {
    exchange,
    apiKey: fill(keyLength, `K${tag}${exchange}`),
    apiSecret: fill(secretLength, `CANARYSECRET${tag}${exchange}`),
    permissions: { read: true, trade: true, withdraw },
  };
};

const KEYS = {
  bybit: key('bybit', 'a'),
  binance: key('binance', 'a'),
  okx: key('okx', 'a'),
  bybitWithdraw: key('bybit', 'w', true),
  okxWithdraw: key('okx', 'e', true),
  kucoin: key('kucoin', 'a'),
  kucoinWithdraw: key('kucoin', 'e', true),
  bybitNext: key('bybit', 'n'),
  bybitNextWithdraw: key('bybit', 'x', true),
  bybitP2p: {
    ...key('bybit', 'p'),
    nativePermissions: { Spot: ['SpotTrade'], FiatP2P: ['FiatP2POrder'] },
  } as SandboxKey,
  bybitUnknown: {
    ...key('bybit', 'u'),
    nativePermissions: { Spot: ['SpotTrade'], FiatNewThing: ['MoveIt'] },
  } as SandboxKey,
  kraken: key('kraken', 'a'),
  krakenWithdraw: key('kraken', 'w', true),
  krakenNext: key('kraken', 'n'),
  krakenDeposit: {
    ...key('kraken', 'u'),
    nativePermissions: ['query-funds', 'modify-trades', 'deposit-funds'],
  } as SandboxKey,
  bybitExpiring: {
    ...key('bybit', 'd'),
    ips: ['127.0.0.1'],
    expiresAt: new Date(Date.now() + 10.5 * 86_400_000).toISOString(),
  } as SandboxKey,
};
const SECRETS = Object.values(KEYS)
  .flatMap((k) => [k.apiSecret, k.passphrase ?? ''])
  .filter(Boolean);

let sandbox: Sandbox;
let project: TempProject;

const newProject = cliProjects();
beforeAll(async () => {
  sandbox = await startSandbox({ keys: Object.values(KEYS) });
});
afterAll(async () => sandbox?.close());

function envLines(k: SandboxKey, profile = ''): string {
  const prefix = `${k.exchange.toUpperCase()}_${profile ? `${profile}_` : ''}API_`;
  return `${prefix}KEY=${k.apiKey}\n${prefix}SECRET=${k.apiSecret}\n${k.passphrase ? `${prefix}PASSPHRASE=${k.passphrase}\n` : ''}`;
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(leakedFragments(text, secret)).toEqual([]);
}

interface Result {
  exchange: string;
  profile: string;
  ok: boolean;
  report?: { permissions: { withdraw: boolean } };
  error?: { code: string; reason?: string; message: string };
}

describe('exkeys verify (against the sandbox)', () => {
  it('verifies safe Bybit, Binance and OKX keys concurrently: exit 0 and a permissions table', async () => {
    project = newProject();
    writeFileSync(
      join(project.dir, '.env'),
      envLines(KEYS.bybit) + envLines(KEYS.binance) + envLines(KEYS.okx),
    );
    const result = await exkeys(project, ['verify', '--base-url', sandbox.url]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /EXCHANGE\s+PROFILE\s+READ\s+TRADE\s+WITHDRAW\s+IP-WHITELIST\s+EXPIRES\s+RESULT/,
    );
    for (const exchange of ['binance', 'bybit', 'okx']) {
      expect(result.stdout).toMatch(
        new RegExp(`${exchange}\\s+default\\s+yes\\s+yes\\s+no\\s+no\\s+-\\s+ok`),
      );
    }
    expect(result.stdout).toContain('has no IP whitelist');
    expect(result.stderr).toContain('Verifying binance (default), bybit (default), okx (default)');
    // Not a TTY: a plain progress line, no spinner frames or cursor control.
    expect(result.stderr).not.toMatch(/\r|\x1b\[|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expectNoSecret(result.stdout + result.stderr);
  });

  it('verifies a safe KuCoin key and refuses a withdraw-enabled one, passphrases hidden', async () => {
    project = newProject();
    writeFileSync(
      join(project.dir, '.env'),
      envLines(KEYS.kucoin) + envLines(KEYS.kucoinWithdraw, 'GRID'),
    );
    const result = await exkeys(project, ['verify', '--base-url', sandbox.url]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/kucoin\s+default\s+yes\s+yes\s+no\s+no\s+-\s+ok/);
    expect(result.stdout).toMatch(/kucoin\s+GRID\s+yes\s+yes\s+YES\s+.*withdraw-enabled/);
    expect(result.stdout).toContain(
      'Refusing the kucoin key (profile GRID): it can WITHDRAW funds (Withdrawal)',
    );
    expectNoSecret(result.stdout + result.stderr);
    // Control: the safe key alone passes.
    const safe = await exkeys(project, ['verify', 'kucoin', '--json', '--base-url', sandbox.url]);
    const json = JSON.parse(safe.stdout) as Result[];
    expect(json.map((r) => [r.profile, r.ok])).toEqual([
      ['default', true],
      ['GRID', false],
    ]);
  });

  it('refuses a withdraw-enabled key: exit 1 with the refusal message', async () => {
    project = newProject();
    writeFileSync(
      join(project.dir, '.env'),
      envLines(KEYS.bybit) + envLines(KEYS.bybitWithdraw, 'GRID') + envLines(KEYS.okxWithdraw),
    );
    const result = await exkeys(project, ['verify', '--base-url', sandbox.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/bybit\s+GRID\s+yes\s+yes\s+YES\s+.*withdraw-enabled/);
    expect(result.stdout).toContain('Refusing the bybit key (profile GRID): it can WITHDRAW funds');
    expect(result.stdout).toContain('Refusing the okx key (profile default)');
    expect(result.stdout).toMatch(/bybit\s+default\s+.*ok/);
    expectNoSecret(result.stdout + result.stderr);

    const json = JSON.parse(
      (await exkeys(project, ['verify', 'bybit', '--json', '--base-url', sandbox.url])).stdout,
    ) as Result[];
    expect(json.map((r) => [r.profile, r.ok, r.error?.code])).toEqual([
      ['default', true, undefined],
      ['GRID', false, 'unsafe-key'],
    ]);
  });

  it('refuses a payout and an unknown permission by name; --allow-permission accepts them knowingly', async () => {
    project = newProject();
    writeFileSync(
      join(project.dir, '.env'),
      envLines(KEYS.bybitP2p, 'P2P') + envLines(KEYS.bybitUnknown, 'NEW'),
    );
    const refused = await exkeys(project, ['verify', '--base-url', sandbox.url]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/bybit\s+P2P\s+.*withdraw-enabled/);
    expect(refused.stdout).toContain('PAY OUT funds to other parties (FiatP2P.FiatP2POrder)');
    expect(refused.stdout).toMatch(/bybit\s+NEW\s+.*unknown-permission/);
    expect(refused.stdout).toContain('exkeys does not know the permission FiatNewThing.MoveIt');
    expect(refused.stdout).toContain('--allow-permission bybit:FiatNewThing');
    const accepted = await exkeys(project, [
      'verify',
      '--base-url',
      sandbox.url,
      '--allow-permission',
      'bybit:FiatP2P',
      'bybit:FiatNewThing',
    ]);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/accepted by allowPermissions/);
    // Only the named one: accepting P2P leaves the unknown permission refused.
    const partly = await exkeys(project, [
      'verify',
      '--base-url',
      sandbox.url,
      '--allow-permission=bybit:FiatP2P',
    ]);
    expect(partly.code).toBe(1);
    expect(partly.stdout).toMatch(/bybit\s+NEW\s+.*unknown-permission/);
    const bad = await exkeys(project, ['verify', '--allow-permission', 'FiatP2P']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--allow-permission takes exchange:Name');
    expectNoSecret(refused.stdout + accepted.stdout + partly.stdout + bad.stderr);
  });

  it('shows the days a key has left, and no 1970 date for a key that never expires', async () => {
    project = newProject();
    writeFileSync(
      join(project.dir, '.env'),
      envLines(KEYS.bybitExpiring) + envLines(KEYS.bybit, 'OPEN'),
    );
    const result = await exkeys(project, ['verify', '--base-url', sandbox.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/bybit\s+default\s+.*\d{4}-\d\d-\d\d \(1[01] days\)/);
    expect(result.stdout).not.toContain('1970');
    // The same expiry and lapse checks as doctor --live, as warnings: a key expiring within 14 days,
    // and an unbound Bybit key that lapses after 90 days.
    expect(result.stdout).toMatch(
      /! bybit \(default\): key expires on \d{4}-\d\d-\d\d, in 1[01] days/,
    );
    expect(result.stdout).toMatch(
      /! bybit \(OPEN\): Bybit expires keys without an IP binding 90 days/,
    );
    expect(result.stdout).toContain('Fix: bind the key to your IPs; bound keys do not expire.');
    const json = JSON.parse(
      (await exkeys(project, ['verify', '--json', '--base-url', sandbox.url])).stdout,
    ) as Array<{
      profile: string;
      report: { expiresAt: string | null; expiresInDays: number | null };
    }>;
    const open = json.find((r) => r.profile === 'OPEN');
    expect(open?.report).toMatchObject({ expiresAt: null, expiresInDays: null });
  });

  it('--region takes global, eea or us only', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), envLines(KEYS.okx));
    const ok = await exkeys(project, ['verify', '--region', 'eea', '--base-url', sandbox.url]);
    expect(ok.code).toBe(0);
    const bad = await exkeys(project, ['verify', '--region', 'mars']);
    expect(bad.code).toBe(2);
  });

  it('--purpose data refuses a key that can trade', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), envLines(KEYS.bybit));
    const result = await exkeys(project, [
      'verify',
      '--purpose',
      'data',
      '--base-url',
      sandbox.url,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('trade-on-data-key');
  });

  it('reports a wrong secret by reason, without the secret', async () => {
    project = newProject();
    const wrong = { ...KEYS.bybit, apiSecret: KEYS.bybitNext.apiSecret };
    writeFileSync(join(project.dir, '.env'), envLines(wrong));
    const result = await exkeys(project, ['verify', '--json', '--base-url', sandbox.url]);
    expect(result.code).toBe(1);
    const [only] = JSON.parse(result.stdout) as Result[];
    expect(only?.error).toMatchObject({ code: 'key-verification', reason: 'bad-signature' });
    expectNoSecret(result.stdout + result.stderr);
  });

  it('fails for nothing configured, and for an exchange it cannot verify', async () => {
    project = newProject();
    expect((await exkeys(project, ['verify', '--base-url', sandbox.url])).code).toBe(1);
    writeFileSync(
      join(project.dir, '.env'),
      'GEMINI_API_KEY=abcdefgh12345678\nGEMINI_API_SECRET=abcdefgh12345678abcdefgh\n',
    );
    const result = await exkeys(project, ['verify', '--base-url', sandbox.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('cannot verify gemini keys live yet');
  });

  it('doctor --live fails on a key that can withdraw', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), envLines(KEYS.bybit) + envLines(KEYS.okxWithdraw), {
      mode: 0o600,
    });
    const result = await exkeys(project, ['doctor', '--live', '--json', '--base-url', sandbox.url]);
    expect(result.code).toBe(1);
    const live = (
      JSON.parse(result.stdout) as Array<{ check: string; status: string; message: string }>
    ).filter((f) => f.check === 'live' && f.status !== 'warn');
    expect(live).toEqual([
      expect.objectContaining({
        status: 'pass',
        message: 'bybit (default): verified, cannot withdraw',
      }),
      expect.objectContaining({
        status: 'fail',
        message: expect.stringContaining('it can WITHDRAW funds'),
      }),
    ]);
  });
});

describe('exkeys verify, doctor --live and rotate with Kraken (against the sandbox)', () => {
  it('audits Kraken keys from GetApiKeyInfo: the trade key passes, withdraw-funds and unknown names are refused', async () => {
    project = newProject();
    writeFileSync(
      join(project.dir, '.env'),
      envLines(KEYS.kraken) +
        envLines(KEYS.krakenWithdraw, 'WITHDRAW') +
        envLines(KEYS.krakenDeposit, 'DEPOSIT'),
    );
    const refused = await exkeys(project, ['verify', '--base-url', sandbox.url]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/kraken\s+default\s+yes\s+yes\s+no\s+no\s+-\s+ok/);
    expect(refused.stdout).toMatch(/kraken\s+WITHDRAW\s+yes\s+yes\s+YES\s+.*withdraw-enabled/);
    expect(refused.stdout).toContain('(withdraw-funds)');
    expect(refused.stdout).toMatch(/kraken\s+DEPOSIT\s+.*unknown-permission/);
    expect(refused.stdout).toContain('--allow-permission kraken:deposit-funds');
    // Kraken reports withdraw and the IP allowlist, so nothing is unknown in those columns.
    expect(refused.stdout).not.toMatch(/kraken\s+\S+\s+yes\s+yes\s+unknown/);
    // Control: the unknown name, accepted knowingly, lets the deposit key pass; withdraw never does.
    const accepted = await exkeys(project, [
      'verify',
      '--base-url',
      sandbox.url,
      '--allow-permission',
      'kraken:deposit-funds',
    ]);
    expect(accepted.code).toBe(1);
    expect(accepted.stdout).toMatch(/kraken\s+DEPOSIT\s+yes\s+yes\s+no\s+no\s+-\s+ok/);
    expect(accepted.stdout).toMatch(/kraken\s+WITHDRAW\s+.*withdraw-enabled/);
    expectNoSecret(refused.stdout + refused.stderr + accepted.stdout + accepted.stderr);
  });

  it('reports a wrong Kraken private key as bad-signature, without the key', async () => {
    project = newProject();
    const wrong = { ...KEYS.kraken, apiSecret: `${KEYS.kraken.apiSecret.slice(0, 84)}AAAA` };
    writeFileSync(join(project.dir, '.env'), envLines(wrong));
    const result = await exkeys(project, ['verify', '--json', '--base-url', sandbox.url]);
    expect(result.code).toBe(1);
    const [only] = JSON.parse(result.stdout) as Result[];
    expect(only?.error).toMatchObject({ code: 'key-verification', reason: 'bad-signature' });
    expect(only?.error?.message).toContain('EAPI:Invalid signature');
    expectNoSecret(result.stdout + result.stderr);
    expect(result.stdout + result.stderr).not.toContain(wrong.apiSecret.slice(0, 20));
  });

  it('doctor --live passes the Kraken trade key and fails its withdraw key', async () => {
    project = newProject();
    writeFileSync(
      join(project.dir, '.env'),
      envLines(KEYS.kraken) + envLines(KEYS.krakenWithdraw, 'WITHDRAW'),
      { mode: 0o600 },
    );
    const result = await exkeys(project, ['doctor', '--live', '--json', '--base-url', sandbox.url]);
    expect(result.code).toBe(1);
    const live = (
      JSON.parse(result.stdout) as Array<{ check: string; status: string; message: string }>
    ).filter((f) => f.check === 'live' && f.status !== 'warn');
    expect(live).toEqual([
      expect.objectContaining({
        status: 'pass',
        message: 'kraken (default): verified, cannot withdraw',
      }),
      expect.objectContaining({
        status: 'fail',
        message: expect.stringContaining('it can WITHDRAW funds'),
      }),
    ]);
  });

  it('rotate verifies the new Kraken key, then swaps it in and names the old one to delete', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), envLines(KEYS.kraken), { mode: 0o600 });
    const before = readFileSync(join(project.dir, '.env'));
    const unsafe = await exkeys(project, ['rotate', 'kraken', '--base-url', sandbox.url], {
      input: `${KEYS.krakenWithdraw.apiKey}\n${KEYS.krakenWithdraw.apiSecret}\n`,
    });
    expect(unsafe.code).toBe(1);
    expect(readFileSync(join(project.dir, '.env'))).toEqual(before);
    const result = await exkeys(project, ['rotate', 'kraken', '--base-url', sandbox.url], {
      input: `${KEYS.krakenNext.apiKey}\n${KEYS.krakenNext.apiSecret}\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `Now delete the OLD key ${KEYS.kraken.apiKey.slice(0, 6)}… on kraken: https://pro.kraken.com/app/settings/api`,
    );
    const after = readFileSync(join(project.dir, '.env'), 'utf8');
    expect(after).toContain(`KRAKEN_API_SECRET=${KEYS.krakenNext.apiSecret}\n`);
    expectNoSecret(unsafe.stdout + unsafe.stderr + result.stdout + result.stderr);
  });
});

describe('exkeys rotate (against the sandbox)', () => {
  it('changes nothing when the new key fails verification (file bytes identical)', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), `# bot keys\n${envLines(KEYS.bybit)}`, {
      mode: 0o600,
    });
    const before = readFileSync(join(project.dir, '.env'));
    const unsafe = await exkeys(project, ['rotate', 'bybit', '--base-url', sandbox.url], {
      input: `${KEYS.bybitNextWithdraw.apiKey}\n${KEYS.bybitNextWithdraw.apiSecret}\n`,
    });
    expect(unsafe.code).toBe(1);
    expect(unsafe.stdout).toContain('it can WITHDRAW funds');
    expect(unsafe.stderr).toContain('The new key was not saved; .env is unchanged.');
    const unknown = await exkeys(project, ['rotate', 'bybit', '--base-url', sandbox.url], {
      input: `${'Zz9'.repeat(6)}\n${KEYS.bybitNext.apiSecret}\n`,
    });
    expect(unknown.code).toBe(1);
    expect(readFileSync(join(project.dir, '.env'))).toEqual(before);
    expectNoSecret(unsafe.stdout + unsafe.stderr + unknown.stdout + unknown.stderr);
  });

  it('verifies, swaps atomically, records the time and names the old key to delete', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), `# bot keys\n${envLines(KEYS.bybit)}OTHER=1\n`, {
      mode: 0o600,
    });
    const result = await exkeys(project, ['rotate', 'bybit', '--base-url', sandbox.url], {
      input: `${KEYS.bybitNext.apiKey}\n${KEYS.bybitNext.apiSecret}\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`now uses key ${KEYS.bybitNext.apiKey.slice(0, 6)}…`);
    expect(result.stdout).toContain(
      `Now delete the OLD key ${KEYS.bybit.apiKey.slice(0, 6)}… on bybit: https://www.bybit.com/app/user/api-management`,
    );
    const after = readFileSync(join(project.dir, '.env'), 'utf8');
    expect(after).toContain(`BYBIT_API_KEY=${KEYS.bybitNext.apiKey}\n`);
    expect(after).toContain(`BYBIT_API_SECRET=${KEYS.bybitNext.apiSecret}\n`);
    expect(after).toMatch(/^# bot keys\n/);
    expect(after).toContain('OTHER=1\n');
    expect(after).toMatch(/# exkeys:rotated-at BYBIT_API_KEY \d{4}-/);
    expectNoSecret(result.stdout + result.stderr);
  });

  it('rotates a KuCoin key with its passphrase after verifying the new key', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), envLines(KEYS.kucoinWithdraw), { mode: 0o600 });
    const next = KEYS.kucoin;
    const result = await exkeys(project, ['rotate', 'kucoin', '--base-url', sandbox.url], {
      input: `${next.apiKey}\n${next.apiSecret}\n${next.passphrase}\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`now uses key ${next.apiKey.slice(0, 6)}…`);
    expect(result.stdout).toContain('on kucoin: https://www.kucoin.com/account/api');
    const after = readFileSync(join(project.dir, '.env'), 'utf8');
    expect(after).toContain(`KUCOIN_API_PASSPHRASE=${next.passphrase}\n`);
    expectNoSecret(result.stdout + result.stderr);
    // Control: rotating to the withdraw-enabled key is refused and leaves the file alone.
    const unsafe = await exkeys(project, ['rotate', 'kucoin', '--base-url', sandbox.url], {
      input: `${KEYS.kucoinWithdraw.apiKey}\n${KEYS.kucoinWithdraw.apiSecret}\n${KEYS.kucoinWithdraw.passphrase}\n`,
    });
    expect(unsafe.code).toBe(1);
    expect(readFileSync(join(project.dir, '.env'), 'utf8')).toBe(after);
  });

  it('--no-verify skips the live check; rotating a key that is not set fails', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), envLines(KEYS.bybit), { mode: 0o600 });
    const result = await exkeys(project, ['rotate', 'bybit', '--no-verify'], {
      input: `${'Zz9'.repeat(6)}\n${KEYS.bybitNext.apiSecret}\n`,
    });
    expect(result.code).toBe(0);
    expect(readFileSync(join(project.dir, '.env'), 'utf8')).toContain(
      `BYBIT_API_KEY=${'Zz9'.repeat(6)}`,
    );
    const none = await exkeys(project, ['rotate', 'okx', '--no-verify'], { input: 'a\nb\nc\n' });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('nothing to rotate');
  });
});

describe('exkeys sandbox', () => {
  it('serves the demo keys until SIGTERM; verify accepts the trade keys and refuses the withdraw ones', async () => {
    project = newProject();
    const child = spawn(process.execPath, ['--', BIN, 'sandbox', '--write-env', '.env.sandbox'], {
      cwd: project.dir,
      env: project.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.on('close', () => reject(new Error(`sandbox exited early: ${stderr}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match && stdout.includes('Press Ctrl+C')) resolve(match[1]!);
      });
    });
    try {
      expect(stdout).toContain('npx exkeys run --env-file .env.sandbox -- npm start');
      expect(stdout).toContain('npx exkeys verify --env-file .env.sandbox');
      expect(stdout).not.toContain('apps/example-bot');
      const envFile = readFileSync(join(project.dir, '.env.sandbox'), 'utf8');
      expect(envFile).toContain(`EXKEYS_BASE_URL=${url}`);
      // Written through the store, so each demo key has a rotation time.
      const keys = envFile.match(/^\w+_API_KEY=/gm) ?? [];
      // The demo keys, plus an ADMIN and a sub-account BOT key per exchange for rotate --auto.
      expect(keys.length).toBeGreaterThanOrEqual(11);
      expect(envFile.match(/^# exkeys:rotated-at \w+_API_KEY /gm)).toHaveLength(keys.length);
      // Coinbase reports no IP allowlist: its trade key passes only once that is accepted.
      const verify = await exkeys(project, [
        'verify',
        '--json',
        '--env-file',
        '.env.sandbox',
        '--base-url',
        url,
        '--accept-unchecked',
        'ip-whitelist',
      ]);
      expect(verify.code).toBe(1);
      const results = JSON.parse(verify.stdout) as Result[];
      expect(results.map((r) => `${r.exchange}/${r.profile}:${r.ok}`)).toEqual([
        'binance/ADMIN:true',
        'binance/BOT:true',
        'binance/default:true',
        'binance/WITHDRAW:false',
        'bybit/ADMIN:true',
        'bybit/BOT:true',
        'bybit/default:true',
        'bybit/PAYOUT:false',
        'bybit/WITHDRAW:false',
        'coinbase/default:true',
        'coinbase/WITHDRAW:false',
        'kraken/default:true',
        'kraken/WITHDRAW:false',
        'kucoin/default:true',
        'kucoin/WITHDRAW:false',
        'okx/ADMIN:true',
        'okx/BOT:true',
        'okx/default:true',
        'okx/WITHDRAW:false',
      ]);
      for (const demo of [...demoKeys(), ...demoSubAccountKeys()])
        expect(stdout + verify.stdout + verify.stderr).not.toContain(demo.apiSecret);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((done) =>
      child.exitCode === null ? child.on('close', (exit) => done(exit)) : done(child.exitCode),
    );
    expect(code).toBe(0);
    expect(stderr).toContain('Sandbox stopped (SIGTERM)');
  });

  it('refuses to write demo keys over real ones', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), envLines(KEYS.bybit), { mode: 0o600 });
    const before = readFileSync(join(project.dir, '.env'));
    const result = await exkeys(project, ['sandbox', '--write-env', '.env']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'already holds keys that are not sandbox demo keys (BYBIT_API_KEY, BYBIT_API_SECRET)',
    );
    expect(readFileSync(join(project.dir, '.env'))).toEqual(before);
  });
});
