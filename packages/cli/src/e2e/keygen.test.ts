import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBinanceClient } from '@exkeys/binance';
import { createBybitClient } from '@exkeys/bybit';
import { getCredentials, loadApiKeys } from '@exkeys/credentials';
import { type Sandbox, startSandbox } from '@exkeys/sandbox';
import { describe, expect, it } from 'vitest';
import { generatePemKeyPair } from '../key-pair.js';
import {
  type CliResult,
  cliProjects,
  exkeys,
  filesUnder,
  missingCommands,
  secretFragments,
  type TempProject,
} from './test-cli.js';

const newProject = cliProjects();

// API keys as the exchanges hand them out after the public key is registered.
const API_KEYS = {
  binance: 'CANARYbinanceKEYgenerated0000000000000000000000000000000000000001',
  bybit: 'CANARYbybitKEYgen1',
} as const;

interface Generated {
  /** The private key as the store holds it. */
  privatePem: string;
  /** What keygen printed on stdout. */
  stdout: string;
  /** Every CLI run, for leak checks. */
  runs: CliResult[];
}

/** `text` without whitespace and `\n` escapes, so a fragment spanning two PEM lines is still found. */
const flat = (text: string) => text.replace(/\\n|\s+/g, '');

/** The 8-character windows of the private key that the public key does not share (DER headers, OIDs). */
function privateOnly(privatePem: string, publicPem: string): string[] {
  const body = flat(privatePem.replace(/-----[A-Z ]+-----/g, ''));
  const shared = flat(publicPem);
  const fragments = secretFragments(body).filter((fragment) => !shared.includes(fragment));
  // The check must have teeth: a key with almost every window shared would prove nothing.
  expect(fragments.length).toBeGreaterThan(30);
  return fragments;
}

function expectPrivateKeyNowhere(project: TempProject, generated: Generated): void {
  const fragments = privateOnly(generated.privatePem, generated.stdout);
  const envFile = join(project.dir, '.env');
  // Control: the store does hold it, so the same check finds it where it is.
  const stored = flat(readFileSync(envFile, 'utf8'));
  expect(fragments.filter((fragment) => stored.includes(fragment))).toEqual(fragments);
  for (const run of generated.runs) {
    const text = flat(run.stdout + run.stderr);
    expect(text.length).toBeGreaterThan(0);
    expect(fragments.filter((fragment) => text.includes(fragment))).toEqual([]);
  }
  for (const file of [...filesUnder(project.dir), ...filesUnder(project.home)]) {
    if (file.path === envFile) continue;
    const content = flat(file.content);
    expect(fragments.filter((fragment) => content.includes(fragment))).toEqual([]);
  }
}

async function storedEnv(project: TempProject): Promise<Record<string, string | undefined>> {
  const target: Record<string, string | undefined> = {};
  await loadApiKeys({ envFile: join(project.dir, '.env'), target });
  return target;
}

/** `keygen --no-key`, then the key the exchange gave back through `set --key-only`. */
async function keygenThenSet(
  project: TempProject,
  exchange: 'binance' | 'bybit',
  typeArgs: string[],
): Promise<Generated> {
  const generated = await exkeys(project, ['keygen', exchange, '--no-key', ...typeArgs]);
  expect(generated.code, generated.stderr).toBe(0);
  expect(generated.stderr).toContain('--key-only');
  const privatePem = (await storedEnv(project))[`${exchange.toUpperCase()}_API_SECRET`] ?? '';
  const set = await exkeys(project, ['set', exchange, '--key-only'], {
    input: `${API_KEYS[exchange]}\n`,
  });
  expect(set.code, set.stderr).toBe(0);
  return { privatePem, stdout: generated.stdout, runs: [generated, set] };
}

async function signedCall(
  exchange: 'binance' | 'bybit',
  env: Record<string, string | undefined>,
  sandbox: Sandbox,
): Promise<object> {
  const creds = getCredentials(exchange, { env });
  const client =
    exchange === 'binance'
      ? await createBinanceClient(creds as never, { baseUrl: sandbox.url })
      : await createBybitClient(creds as never, { baseUrl: sandbox.url });
  return client.fetchBalance();
}

describe.each([
  { exchange: 'binance', args: [], type: 'ed25519' },
  { exchange: 'binance', args: ['--type', 'rsa'], type: 'rsa' },
  { exchange: 'bybit', args: [], type: 'rsa' },
] as const)('exkeys keygen $exchange $args', ({ exchange, args, type }) => {
  it('stores a private key whose public key is the one printed, and the key pair signs through a real ccxt client', async () => {
    const project = newProject();
    const generated = await keygenThenSet(project, exchange, [...args]);
    const env = await storedEnv(project);
    const prefix = exchange.toUpperCase();
    expect(env[`${prefix}_API_KEY`]).toBe(API_KEYS[exchange]);

    // Round trip: the printed public key (stdout holds nothing else) is the stored key's public half.
    const privateKey = createPrivateKey(generated.privatePem);
    expect(privateKey.asymmetricKeyType).toBe(type);
    expect(generated.privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const derived = String(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }));
    expect(generated.stdout).toBe(derived);
    expect(generated.stdout).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/,
    );

    // The sandbox verifies signatures with the key pair registered for this API key…
    const sandbox = await startSandbox({
      keys: [{ exchange, apiKey: API_KEYS[exchange], apiSecret: generated.privatePem }],
    });
    try {
      const balance = (await signedCall(exchange, env, sandbox)) as { total?: object };
      expect(balance.total).toMatchObject({ USDT: 10000 });
      const signed = sandbox.requests.filter((request) => request.keyPreview !== null);
      expect(signed.length).toBeGreaterThan(0);
      expect(signed.every((request) => request.ok)).toBe(true);
    } finally {
      await sandbox.close();
    }
    // …and refuses the same API key signed by another key pair (control: it does check).
    const impostor = await startSandbox({
      keys: [
        { exchange, apiKey: API_KEYS[exchange], apiSecret: generatePemKeyPair(type).privatePem },
      ],
    });
    try {
      await expect(signedCall(exchange, env, impostor)).rejects.toThrow();
      expect(impostor.requests.some((request) => request.keyPreview !== null && !request.ok)).toBe(
        true,
      );
    } finally {
      await impostor.close();
    }

    expectPrivateKeyNowhere(project, generated);
    const mode = (await import('node:fs')).statSync(join(project.dir, '.env')).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});

describe('exkeys keygen', () => {
  it('reads the API key from stdin in the same run, under a profile', async () => {
    const project = newProject();
    const run = await exkeys(project, ['keygen', 'binance', '--profile', 'grid'], {
      input: `${API_KEYS.binance}\n`,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('saved Binance key CANARY…');
    const env = await storedEnv(project);
    expect(env.BINANCE_GRID_API_KEY).toBe(API_KEYS.binance);
    expect(getCredentials('binance', { profile: 'grid', env }).apiSecret).toMatch(/PRIVATE KEY/);
    expectPrivateKeyNowhere(project, {
      privatePem: env.BINANCE_GRID_API_SECRET ?? '',
      stdout: run.stdout,
      runs: [run],
    });
  });

  it('stores the pair in an age keystore instead of the .env file', async (ctx) => {
    const noAge = missingCommands(['age', 'age-keygen'], 'age');
    if (noAge) ctx.skip(noAge);
    const project = newProject();
    const identity = join(project.dir, 'id.age-identity');
    expect(spawnSync('age-keygen', ['-o', identity]).status).toBe(0);
    const run = await exkeys(project, ['keygen', 'bybit', '--keystore', 'keys.env.age'], {
      input: `${API_KEYS.bybit}\n`,
      env: { EXKEYS_AGE_IDENTITY_FILE: identity },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(project.dir, '.env'))).toBe(false);
    const decrypted = spawnSync('age', ['-d', '-i', identity, join(project.dir, 'keys.env.age')], {
      encoding: 'utf8',
    });
    expect(decrypted.stdout).toContain(`BYBIT_API_KEY=${API_KEYS.bybit}\n`);
    // The store writes a multi-line value double-quoted with \n escapes.
    const quoted = /^BYBIT_API_SECRET="([^"]+)"$/m.exec(decrypted.stdout)?.[1] ?? '';
    const privatePem = quoted.replace(/\\n/g, '\n');
    expect(String(createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }))).toBe(
      run.stdout,
    );
    const fragments = privateOnly(privatePem, run.stdout);
    for (const text of [
      run.stdout + run.stderr,
      ...filesUnder(project.dir).map((f) => f.content),
    ]) {
      expect(fragments.filter((fragment) => flat(text).includes(fragment))).toEqual([]);
    }
  });

  it('keeps the private key when no API key comes, and says how to add it', async () => {
    const project = newProject();
    const run = await exkeys(project, ['keygen', 'bybit']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('exkeys set bybit --key-only');
    expect(run.stdout).toContain('BEGIN PUBLIC KEY');
    const env = await storedEnv(project);
    expect(env.BYBIT_API_SECRET).toMatch(/PRIVATE KEY/);
    expect(env.BYBIT_API_KEY).toBeUndefined();
    const bad = await exkeys(project, ['set', 'bybit', '--key-only'], { input: 'changeme\n' });
    expect(bad.code).toBe(1);
    expect((await storedEnv(project)).BYBIT_API_KEY).toBeUndefined();
  });

  it('refuses OKX (HMAC keys only) as a usage error that says why, writing nothing', async () => {
    const project = newProject();
    const run = await exkeys(project, ['keygen', 'okx'], { input: 'x\n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('OKX API keys are HMAC keys only');
    expect(run.stderr).toContain('exkeys set okx');
    expect(run.stdout).toBe('');
    expect(existsSync(join(project.dir, '.env'))).toBe(false);
    // Controls: the same project accepts Binance, and a type Bybit does not take is refused too.
    const wrongType = await exkeys(project, ['keygen', 'bybit', '--type', 'ed25519']);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toContain('Bybit accepts RSA keys (--type rsa)');
    const unknown = await exkeys(project, ['keygen', 'gemini']);
    expect(unknown.code).toBe(2);
    expect(existsSync(join(project.dir, '.env'))).toBe(false);
    const ok = await exkeys(project, ['keygen', 'binance', '--no-key']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('never replaces a key already stored for the profile', async () => {
    const project = newProject();
    const first = await exkeys(project, ['keygen', 'binance', '--no-key']);
    expect(first.code).toBe(0);
    const before = readFileSync(join(project.dir, '.env'), 'utf8');
    const again = await exkeys(project, ['keygen', 'binance', '--no-key']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('keygen never replaces a key');
    expect(again.stdout).toBe('');
    expect(readFileSync(join(project.dir, '.env'), 'utf8')).toBe(before);
    // Another profile is free.
    const other = await exkeys(project, ['keygen', 'binance', '--no-key', '--profile', 'b']);
    expect(other.code).toBe(0);
  });
});
