import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Sandbox, type SandboxKey, startSandbox } from '@exkeys/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProjects, exkeys, leakedFragments, type TempProject } from './test-cli.js';

// `doctor --live` against the sandbox: keys that expire just inside and just outside the
// threshold (Bybit deadlineDay/expiredAt, Binance tradingAuthorityExpirationTime), and keys without
// an IP binding that OKX (14 days unused) and Bybit (90 days) let lapse.
const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();
let serial = 0;
function sandboxKey(exchange: SandboxKey['exchange'], extra: Partial<SandboxKey>): SandboxKey {
  serial += 1;
  const tag = String(serial).padStart(2, '0');
  const shape =
    exchange === 'kucoin'
      ? {
          apiKey: `6e${tag}`.padEnd(24, '0'),
          apiSecret: `ca${tag}0000-0000-4000-8000-0000000000${tag}`,
          passphrase: `Canary-${tag}-kucoin`,
        }
      : exchange === 'okx'
        ? {
            apiKey: `0e${tag}0000-0000-4000-8000-0000000000${tag}`,
            apiSecret: `CA${tag}`.padEnd(32, 'F'),
            passphrase: `Canary-${tag}-pass`,
          }
        : exchange === 'bybit'
          ? {
              apiKey: `HEALTH${tag}bybit`.padEnd(18, '0'),
              apiSecret: `CANARYSECRET${tag}`.padEnd(36, '7'),
            }
          : {
              apiKey: `HEALTH${tag}binance`.padEnd(64, '0'),
              apiSecret: `CANARYSECRET${tag}binance`.padEnd(64, '9'),
            };
  return { exchange, ...shape, permissions: { read: true, trade: true }, ...extra };
}

const BOUND = { ips: ['127.0.0.1'] };
const KEYS = {
  BYBIT_SOON: sandboxKey('bybit', { ...BOUND, expiresAt: inDays(13.5) }),
  BYBIT_LATER: sandboxKey('bybit', { ...BOUND, expiresAt: inDays(15.5) }),
  BINANCE_SOON: sandboxKey('binance', { expiresAt: inDays(13.5) }),
  BINANCE_LATER: sandboxKey('binance', { expiresAt: inDays(15.5) }),
  BYBIT_UNBOUND: sandboxKey('bybit', { expiresAt: inDays(60) }),
  OKX_UNBOUND: sandboxKey('okx', {}),
  OKX_BOUND: sandboxKey('okx', BOUND),
  KUCOIN_UNBOUND: sandboxKey('kucoin', {}),
  KUCOIN_BOUND: sandboxKey('kucoin', BOUND),
};
type Profile = keyof typeof KEYS;
const SECRETS = Object.values(KEYS).flatMap((k) => [k.apiSecret, k.passphrase ?? '', k.apiKey]);

interface Finding {
  id: string;
  check: string;
  status: 'pass' | 'warn' | 'fail';
  message: string;
  fix?: string;
  key?: { exchange: string; profile: string; preview: string };
  date?: string;
}

let sandbox: Sandbox;
let project: TempProject;
const newProject = cliProjects();
beforeAll(async () => {
  sandbox = await startSandbox({ keys: Object.values(KEYS) });
});
afterAll(async () => sandbox?.close());

function useKeys(profiles: readonly Profile[]): void {
  project = newProject();
  const lines = profiles.flatMap((profile) => {
    const k = KEYS[profile];
    const prefix = `${k.exchange.toUpperCase()}_${profile.split('_')[1]}_API_`;
    return [
      `${prefix}KEY=${k.apiKey}`,
      `${prefix}SECRET=${k.apiSecret}`,
      ...(k.passphrase ? [`${prefix}PASSPHRASE=${k.passphrase}`] : []),
    ];
  });
  writeFileSync(join(project.dir, '.env'), `${lines.join('\n')}\n`);
  chmodSync(join(project.dir, '.env'), 0o600);
}

function expectNoSecret(text: string): void {
  expect(text.length).toBeGreaterThan(0);
  for (const secret of SECRETS) expect(leakedFragments(text, secret)).toEqual([]);
}

async function doctor(...args: string[]): Promise<{ code: number | null; findings: Finding[] }> {
  const result = await exkeys(project, [
    'doctor',
    '--live',
    '--json',
    '--base-url',
    sandbox.url,
    ...args,
  ]);
  expectNoSecret(result.stdout + result.stderr);
  return { code: result.code, findings: JSON.parse(result.stdout) as Finding[] };
}

/** The expiry/lapse finding of one key, found by its profile. */
function about(findings: Finding[], profile: Profile): Finding[] {
  const name = profile.split('_')[1];
  const { exchange } = KEYS[profile];
  return findings.filter(
    (f) =>
      (f.check === 'expiry' || f.check === 'lapse') &&
      f.key?.exchange === exchange &&
      f.key?.profile === name,
  );
}

describe('exkeys doctor --live --expires-within', () => {
  it('fails keys expiring within 14 days (Bybit deadlineDay, Binance trading authority), passes those just outside', async () => {
    useKeys(['BYBIT_SOON', 'BYBIT_LATER', 'BINANCE_SOON', 'BINANCE_LATER', 'OKX_BOUND']);
    const { code, findings } = await doctor();
    expect(code).toBe(1);
    const [bybitSoon] = about(findings, 'BYBIT_SOON');
    expect(bybitSoon).toMatchObject({
      id: 'expiry.soon',
      status: 'fail',
      date: expect.stringMatching(KEYS.BYBIT_SOON.expiresAt?.slice(0, 10) ?? 'never'),
      message: expect.stringContaining(
        `expires on ${KEYS.BYBIT_SOON.expiresAt?.slice(0, 10)}, in 13 days`,
      ),
      fix: expect.stringContaining('exkeys rotate bybit --profile SOON'),
      key: {
        exchange: 'bybit',
        profile: 'SOON',
        preview: `${KEYS.BYBIT_SOON.apiKey.slice(0, 6)}…`,
      },
    });
    const [binanceSoon] = about(findings, 'BINANCE_SOON');
    expect(binanceSoon).toMatchObject({
      id: 'expiry.soon',
      status: 'fail',
      message: expect.stringContaining(
        `trading authority expires on ${KEYS.BINANCE_SOON.expiresAt?.slice(0, 10)}`,
      ),
      fix: expect.stringContaining('bind the key to your IPs; bound keys do not expire'),
    });
    for (const profile of ['BYBIT_LATER', 'BINANCE_LATER'] as const) {
      expect(about(findings, profile)).toEqual([
        expect.objectContaining({
          id: 'expiry.ok',
          status: 'pass',
          message: expect.stringContaining('in 15 days'),
        }),
      ]);
    }
    // A bound OKX key: OKX reports no expiry and does not delete it.
    expect(about(findings, 'OKX_BOUND')).toEqual([
      expect.objectContaining({ id: 'expiry.ok', status: 'pass' }),
    ]);
    // Only the two keys inside the threshold fail (everything else is healthy).
    expect(findings.filter((f) => f.status === 'fail').map((f) => f.key?.profile)).toEqual([
      'SOON',
      'SOON',
    ]);

    // The threshold follows the flag: at 10 days nothing fails, at 20 all four do.
    const relaxed = await doctor('--expires-within', '10');
    expect(relaxed.code).toBe(0);
    expect(relaxed.findings.filter((f) => f.status === 'fail')).toEqual([]);
    const strict = await doctor('--expires-within', '20');
    expect(strict.code).toBe(1);
    expect(strict.findings.filter((f) => f.id === 'expiry.soon')).toHaveLength(4);
  });

  it('warns about unbound KuCoin trade keys (30 days unused), not bound ones: exit 0', async () => {
    useKeys(['KUCOIN_UNBOUND', 'KUCOIN_BOUND']);
    const { code, findings } = await doctor();
    expect(code).toBe(0);
    expect(about(findings, 'KUCOIN_UNBOUND')).toEqual([
      expect.objectContaining({
        id: 'lapse.kucoin-inactivity',
        status: 'warn',
        message: expect.stringContaining(`goes on ${inDays(30).slice(0, 10)}`),
        fix: 'bind the key to your IPs; bound keys do not expire',
      }),
    ]);
    expect(about(findings, 'KUCOIN_BOUND').map((f) => f.id)).toEqual(['expiry.ok']);
  });

  it('warns about unbound OKX trade keys and unbound Bybit keys with the date and the fix: exit 0', async () => {
    useKeys(['BYBIT_UNBOUND', 'OKX_UNBOUND', 'OKX_BOUND']);
    const { code, findings } = await doctor();
    expect(code).toBe(0);
    expect(about(findings, 'BYBIT_UNBOUND')).toEqual([
      expect.objectContaining({
        id: 'lapse.bybit-unbound',
        status: 'warn',
        date: expect.stringMatching(KEYS.BYBIT_UNBOUND.expiresAt?.slice(0, 10) ?? 'never'),
        message: expect.stringContaining(
          `expires on ${KEYS.BYBIT_UNBOUND.expiresAt?.slice(0, 10)}`,
        ),
        fix: 'bind the key to your IPs; bound keys do not expire',
      }),
    ]);
    const fortnight = inDays(14).slice(0, 10);
    expect(about(findings, 'OKX_UNBOUND')).toEqual([
      expect.objectContaining({
        id: 'lapse.okx-inactivity',
        status: 'warn',
        message: expect.stringContaining(`goes on ${fortnight}`),
        fix: 'bind the key to your IPs; bound keys do not expire',
      }),
    ]);
    // The control: the bound OKX key gets no lapse warning.
    expect(about(findings, 'OKX_BOUND').map((f) => f.id)).toEqual(['expiry.ok']);

    const text = await exkeys(project, ['doctor', '--live', '--base-url', sandbox.url]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`goes on ${fortnight}`);
    expect(text.stdout).toContain('fix: bind the key to your IPs; bound keys do not expire');
    expectNoSecret(text.stdout + text.stderr);
  });

  it('gives every finding a stable id, and refuses a bad --expires-within (exit 2)', async () => {
    useKeys(['OKX_BOUND']);
    const { findings } = await doctor();
    expect(findings.length).toBeGreaterThan(3);
    for (const finding of findings) expect(finding.id).toMatch(/^[a-z-]+\.[a-z-]+$/);
    expect(findings.map((f) => f.id)).toEqual(
      expect.arrayContaining([
        'file-mode.private',
        'valid.ok',
        'age.unknown',
        'shared.none',
        'live.ok',
      ]),
    );
    const bad = await exkeys(project, ['doctor', '--live', '--expires-within', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--expires-within takes a number of days');
  });
});

// A loopback webhook that records what it receives.
interface Hook {
  url: string;
  bodies: string[];
  requests: IncomingMessage[];
  status: number;
  close(): Promise<void>;
}

async function startHook(): Promise<Hook> {
  const hook = { bodies: [] as string[], requests: [] as IncomingMessage[], status: 200 } as Hook;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      hook.bodies.push(body);
      hook.requests.push(request);
      response.writeHead(hook.status, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hook.close = () => new Promise((resolve) => server.close(() => resolve()));
  return hook;
}

describe('exkeys doctor --notify', () => {
  const TOKEN = 'CANARYhookTOKEN0123456789';
  let hook: Hook;
  beforeAll(async () => {
    hook = await startHook();
  });
  afterAll(async () => hook?.close());

  it('posts the documented payload to a loopback webhook, with no secret and 6-character previews', async () => {
    useKeys(['BYBIT_SOON', 'OKX_UNBOUND']);
    hook.bodies.length = 0;
    hook.status = 200;
    const result = await exkeys(project, [
      'doctor',
      '--live',
      '--base-url',
      sandbox.url,
      '--notify',
      `${hook.url}/hook/${TOKEN}?chat_id=42`,
    ]);
    expect(result.code).toBe(1); // BYBIT_SOON expires within 14 days
    expect(hook.bodies).toHaveLength(1);
    expect(hook.requests[0]?.method).toBe('POST');
    expect(hook.requests[0]?.url).toBe(`/hook/${TOKEN}?chat_id=42`);
    expect(hook.requests[0]?.headers['content-type']).toBe('application/json');
    const body = hook.bodies[0] ?? '';
    expectNoSecret(body);
    expect(body).not.toContain(KEYS.BYBIT_SOON.apiKey.slice(0, 7));
    const payload = JSON.parse(body);
    expect(payload).toMatchObject({
      schema: 'exkeys.doctor/1',
      ok: false,
      host: expect.any(String),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      summary: { failures: 1, warnings: expect.any(Number), passes: expect.any(Number) },
      text: expect.stringContaining('1 problem'),
    });
    expect(payload.text).toContain('fix: bind the key to your IPs; bound keys do not expire');
    expect(payload.findings).toContainEqual(
      expect.objectContaining({
        id: 'expiry.soon',
        key: {
          exchange: 'bybit',
          profile: 'SOON',
          preview: `${KEYS.BYBIT_SOON.apiKey.slice(0, 6)}…`,
        },
      }),
    );
    expect(payload.findings).toContainEqual(
      expect.objectContaining({ id: 'lapse.okx-inactivity' }),
    );
    // The token in the URL is never printed.
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('reads the URL from EXKEYS_NOTIFY_URL, and fails (exit 1) without printing the URL when the webhook refuses', async () => {
    useKeys(['OKX_BOUND']);
    hook.bodies.length = 0;
    hook.status = 200;
    const env = { EXKEYS_NOTIFY_URL: `${hook.url}/hook/${TOKEN}` };
    const ok = await exkeys(project, ['doctor', '--live', '--base-url', sandbox.url, '--notify'], {
      env,
    });
    expect(ok.code).toBe(0);
    expect(hook.bodies).toHaveLength(1);
    expect(JSON.parse(hook.bodies[0] ?? '{}')).toMatchObject({
      ok: true,
      summary: { failures: 0 },
    });

    hook.status = 403;
    const refused = await exkeys(
      project,
      ['doctor', '--live', '--base-url', sandbox.url, '--notify'],
      { env },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The webhook at ${hook.url} refused the findings (HTTP 403)`);
    expect(refused.stdout + refused.stderr).not.toContain(TOKEN);
  });

  it('refuses a plain-http webhook off loopback, or a missing URL, before any check (exit 2)', async () => {
    useKeys(['OKX_BOUND']);
    const insecure = await exkeys(project, [
      'doctor',
      '--notify',
      `http://hooks.example.invalid/${TOKEN}`,
    ]);
    expect(insecure.code).toBe(2);
    expect(insecure.stderr).toContain('--notify takes an https URL');
    expect(insecure.stderr).not.toContain(TOKEN);
    const missing = await exkeys(project, ['doctor', '--notify']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('EXKEYS_NOTIFY_URL');
  });
});
