import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CredentialsError,
  KeyVerificationError,
  saveApiKeys,
  updateApiKey,
} from '@exkeys/credentials';
import { type Sandbox, startSandbox } from '@exkeys/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBot } from './bot.js';

const KEY = 'CANKEYbot000000001';
const SECRET = 'CANARYbotSECRET000000000000000000001';
const OKX = {
  apiKey: '0ca0a000-0000-4000-8000-000000000001',
  apiSecret: 'CA0A0000000000000000000000000001',
  passphrase: 'CANARY-bot-passphrase',
};
// Rotation targets: a second trade key, and a key that can withdraw (which must not be swapped in).
const NEXT = { apiKey: 'NEWKEYbot000000002', apiSecret: 'CANARYbotNEXTSECRET00000000000000002' };
const DRAIN = { apiKey: 'DRAINKbot000000003', apiSecret: 'CANARYbotDRAINSECRET0000000000000003' };
const canaries = [
  SECRET,
  NEXT.apiSecret,
  DRAIN.apiSecret,
  OKX.apiSecret,
  OKX.passphrase,
  KEY.slice(0, 7),
  NEXT.apiKey.slice(0, 7),
  OKX.apiKey.slice(0, 7),
];

let sandbox: Sandbox;
let dir: string;
let envFile: string;
beforeAll(async () => {
  sandbox = await startSandbox({
    keys: [
      { exchange: 'bybit', apiKey: KEY, apiSecret: SECRET },
      { exchange: 'bybit', ...NEXT },
      { exchange: 'bybit', ...DRAIN, permissions: { withdraw: true } },
      { exchange: 'okx', ...OKX },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'exkeys-bot-'));
  envFile = join(dir, '.env');
  await saveApiKeys('bybit', { apiKey: KEY, apiSecret: SECRET }, { envFile });
  await saveApiKeys('okx', OKX, { envFile });
});
afterAll(() => sandbox.close());

function expectClean(text: string) {
  for (const canary of canaries) expect(text).not.toContain(canary);
}

describe('runBot', () => {
  it('masks the key in every log line and leaves process.env alone', async () => {
    const lines: string[] = [];
    const result = await runBot({
      exchange: 'okx',
      envFile,
      baseUrl: sandbox.url,
      log: (l) => lines.push(l),
    });
    expect(result).toMatchObject({ exchange: 'okx', profile: 'default', keyPreview: '0ca0a0…' });
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) expect(line.startsWith('[okx/default 0ca0a0…] ')).toBe(true);
    expect(process.env.OKX_API_KEY).toBeUndefined();
    expectClean(lines.join('\n') + JSON.stringify(result));
  });

  it('stops with a CredentialsError naming the variables when keys are missing', async () => {
    const error = await runBot({
      exchange: 'bybit',
      envFile: join(dir, 'none.env'),
      baseUrl: sandbox.url,
      log: () => {},
    }).catch((e: unknown) => e);
    expect(CredentialsError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/BYBIT_API_KEY.*\n.*BYBIT_API_SECRET/);
  });

  it('stops with a typed, secret-free error when the exchange refuses the key', async () => {
    const wrong = join(dir, 'wrong.env');
    await saveApiKeys(
      'bybit',
      { apiKey: KEY, apiSecret: 'CANARYwrongSECRET00000000000000000001' },
      { envFile: wrong },
    );
    const lines: string[] = [];
    const error = await runBot({
      exchange: 'bybit',
      envFile: wrong,
      baseUrl: sandbox.url,
      log: (l) => lines.push(l),
    }).catch((e: unknown) => e);
    expect(KeyVerificationError.isInstance(error) && error.reason).toBe('bad-signature');
    expectClean(`${(error as Error).message}${(error as Error).stack}${lines.join('\n')}`);
    expect(`${(error as Error).message}`).not.toContain('CANARYwrong');
  });

  it('reports an unreachable exchange as a network error', async () => {
    const closed = await startSandbox({ keys: [] });
    await closed.close();
    const error = await runBot({
      exchange: 'bybit',
      envFile,
      baseUrl: closed.url,
      log: () => {},
    }).catch((e: unknown) => e);
    expect(KeyVerificationError.isInstance(error) && error.reason).toBe('network');
  });
});

describe('runBot with rounds: a rotated key reaches the running bot', () => {
  const rotate = async (file: string, to: { apiKey: string; apiSecret: string }) => {
    await updateApiKey('bybit', to, { envFile: file, env: {} });
  };
  const waitFor = async (what: string, done: () => boolean) => {
    for (const end = Date.now() + 10_000; !done(); await new Promise((r) => setTimeout(r, 20)))
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  };

  it('signs the next round with the new key, verified against the sandbox, without a restart', async () => {
    const file = join(dir, 'rotating.env');
    await saveApiKeys('bybit', { apiKey: KEY, apiSecret: SECRET }, { envFile: file });
    const lines: string[] = [];
    const rotated: string[] = [];
    let from = 0;
    const result = await runBot({
      exchange: 'bybit',
      envFile: file,
      baseUrl: sandbox.url,
      log: (l) => lines.push(l),
      rounds: 2,
      onKeyRotated: (preview) => rotated.push(preview),
      betweenRounds: async () => {
        await rotate(file, NEXT);
        await waitFor('the rotation', () => rotated.length > 0);
        from = sandbox.requests.length;
      },
    });
    expect(rotated).toEqual(['NEWKEY…']);
    expect(result.rounds.map((r) => r.keyPreview)).toEqual(['CANKEY…', 'NEWKEY…']);
    // The sandbox checked the signatures: every request of round 2 carried the new key.
    const second = sandbox.requests.slice(from).filter((r) => r.keyPreview !== null);
    expect(second.length).toBeGreaterThanOrEqual(3);
    expect(second.every((r) => r.keyPreview === 'NEWKEY…' && r.ok)).toBe(true);
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[bybit\/default NEWKEY…\] cancelled order/),
    );
    expectClean(lines.join('\n') + JSON.stringify(result));
  });

  it('refuses a rotated key that can withdraw and keeps trading with the old one', async () => {
    const file = join(dir, 'draining.env');
    await saveApiKeys('bybit', { apiKey: KEY, apiSecret: SECRET }, { envFile: file });
    const lines: string[] = [];
    const result = await runBot({
      exchange: 'bybit',
      envFile: file,
      baseUrl: sandbox.url,
      log: (l) => lines.push(l),
      rounds: 2,
      onKeyRotated: () => {},
      betweenRounds: async () => {
        await rotate(file, DRAIN);
        await waitFor('the refusal', () => lines.some((l) => l.includes('new key not used')));
      },
    });
    expect(result.rounds.map((r) => r.keyPreview)).toEqual(['CANKEY…', 'CANKEY…']);
    expect(lines.join('\n')).toMatch(/new key not used, still on the old one: Refusing .*WITHDRAW/);
    expectClean(lines.join('\n'));
  });
});

describe('main.js (the template entry point)', () => {
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  // Asynchronous: the sandbox answering the child runs in this process.
  const run = (env: Record<string, string>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [main],
        { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', ...env } },
        (error, stdout, stderr) =>
          resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('refuses to trade on mainnet by accident', async (ctx) => {
    if (!existsSync(main))
      ctx.skip('skipped: dist/main.js is not built; `pnpm test` builds it first');
    const result = await run({ EXKEYS_ENV_FILE: envFile });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Refusing to trade on mainnet by accident/);
  });

  it('uses keys from its environment (as `exkeys run` injects them), exits 0, prints no secret', async (ctx) => {
    if (!existsSync(main))
      ctx.skip('skipped: dist/main.js is not built; `pnpm test` builds it first');
    const result = await run({
      EXKEYS_ENV_FILE: join(dir, 'does-not-exist.env'),
      EXKEYS_BASE_URL: sandbox.url,
      BYBIT_API_KEY: KEY,
      BYBIT_API_SECRET: SECRET,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/cancelled order/);
    expectClean(result.stdout);
  });

  it('exits 1 with advice when the key is refused', async (ctx) => {
    if (!existsSync(main))
      ctx.skip('skipped: dist/main.js is not built; `pnpm test` builds it first');
    const bad = join(dir, 'bad.env');
    await writeFile(
      bad,
      'BYBIT_API_KEY=CANKEYunknown00001\nBYBIT_API_SECRET=CANARYunknownSECRET0000000000000001\n',
    );
    const result = await run({ EXKEYS_ENV_FILE: bad, EXKEYS_BASE_URL: sandbox.url });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/KeyVerificationError: .*(revoke|regenerate|create)/i);
    expect(result.stderr + result.stdout).not.toContain('CANARYunknown');
  });
});
