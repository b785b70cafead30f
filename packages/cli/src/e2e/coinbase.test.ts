import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cdpKeySecret, type Sandbox, startSandbox } from '@exkeys/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProjects, exkeys, leakedFragments, type TempProject } from './test-cli.js';

// Coinbase CDP keys (https://docs.cdp.coinbase.com/get-started/authentication/cdp-api-keys): an
// ECDSA key file { name, privateKey: PEM } and an Ed25519 key file { id, privateKey: base64 }.
const ECDSA = {
  name: 'organizations/0a1b2c3d-0000-4000-8000-00000000c0de/apiKeys/c0ffee00-1111-4111-8111-0000000e2e01',
  privateKey: `${cdpKeySecret('CANARYSECRETQz7Xe2eEcdsa000001', 'ec-p256')}\n`,
};
const ED25519 = {
  id: 'c0ffee00-1111-4111-8111-0000000e2e02',
  privateKey: cdpKeySecret('CANARYSECRETQz7Xe2eEddsa000002'),
};
const DRAIN = {
  id: 'c0ffee00-1111-4111-8111-0000000e2e03',
  privateKey: cdpKeySecret('CANARYSECRETQz7Xe2eDrain000003'),
};
/** The parts of a secret whose leak matters: a PEM's base64 lines, not its BEGIN/END lines. */
const BODIES = [ECDSA, ED25519, DRAIN].flatMap((k) =>
  k.privateKey.split('\n').filter((line) => line !== '' && !line.startsWith('-----')),
);

let sandbox: Sandbox;
let project: TempProject;
const newProject = cliProjects();
beforeAll(async () => {
  sandbox = await startSandbox({
    keys: [
      { exchange: 'coinbase', apiKey: ECDSA.name, apiSecret: ECDSA.privateKey.trimEnd() },
      { exchange: 'coinbase', apiKey: ED25519.id, apiSecret: ED25519.privateKey },
      {
        exchange: 'coinbase',
        apiKey: DRAIN.id,
        apiSecret: DRAIN.privateKey,
        permissions: { withdraw: true },
      },
    ],
  });
});
afterAll(async () => sandbox?.close());

function expectNoSecret(text: string): void {
  expect(text.length).toBeGreaterThan(0);
  for (const body of BODIES) expect(leakedFragments(text, body)).toEqual([]);
  expect(text).not.toContain('CANARYSECRET');
}

function keyFile(name: string, content: unknown): string {
  const path = join(project.dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return name;
}

describe('exkeys set coinbase --from-file (the downloaded CDP key file)', () => {
  it('stores an ECDSA key file: the key name, and the PEM with real line breaks, 0600, nothing printed', async () => {
    project = newProject();
    const result = await exkeys(project, [
      'set',
      'coinbase',
      '--from-file',
      keyFile('cdp_api_key.json', ECDSA),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('saved coinbase key organi…');
    expect(result.stderr).not.toContain('warning');
    expectNoSecret(result.stdout + result.stderr + ' ');
    const envFile = join(project.dir, '.env');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const validate = await exkeys(project, ['validate', 'coinbase', '--json']);
    expect(validate.code, validate.stdout).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject([
      { exchange: 'coinbase', valid: true, warnings: [] },
    ]);
    // The stored secret is the PEM itself: it verifies against the sandbox.
    const verify = await exkeys(project, [
      'verify',
      '--base-url',
      sandbox.url,
      '--accept-unchecked',
      'ip-whitelist',
    ]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expectNoSecret(verify.stdout + verify.stderr);
  });

  it('stores an Ed25519 key file ({ id, privateKey })', async () => {
    project = newProject();
    const result = await exkeys(project, [
      'set',
      'coinbase',
      '--from-file',
      keyFile('ed.json', ED25519),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(project.dir, '.env'), 'utf8')).toContain(
      `COINBASE_API_KEY=${ED25519.id}`,
    );
    expectNoSecret(result.stdout + result.stderr + ' ');
  });

  it.each([
    [
      'not JSON',
      () => keyFile('bad.json', '{"name": "organizations/x", privateKey: oops'),
      'is not JSON',
    ],
    ['a JSON list', () => keyFile('list.json', [ECDSA]), 'is not a JSON object'],
    [
      'no privateKey',
      () => keyFile('nokey.json', { name: ECDSA.name }),
      'has no "privateKey" string',
    ],
    [
      'no name or id',
      () => keyFile('noname.json', { privateKey: ECDSA.privateKey }),
      'has no "name"',
    ],
    [
      'a directory',
      () => {
        mkdirSync(join(project.dir, 'keys.d'));
        return 'keys.d';
      },
      'is not a readable regular file',
    ],
    ['a missing file', () => 'missing.json', 'is not a readable regular file'],
    [
      'an oversized file',
      () => keyFile('big.json', { ...ECDSA, pad: 'x'.repeat(70_000) }),
      'too large',
    ],
    [
      'a binary file',
      () => keyFile('bin.json', Buffer.from([0, 1, 2, 0, 255, 0]).toString('latin1')),
      'is not UTF-8 text',
    ],
  ])('refuses %s, saving nothing', async (_name, make, why) => {
    project = newProject();
    const result = await exkeys(project, ['set', 'coinbase', '--from-file', make()]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(why);
    expect(() => statSync(join(project.dir, '.env'))).toThrow();
    expect(result.stderr).not.toContain('CANARYSECRET');
  });

  it('never echoes a --from-file path that looks like a secret (the private key pasted as the path)', async () => {
    project = newProject();
    const result = await exkeys(project, ['set', 'coinbase', '--from-file', ED25519.privateKey]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('is not a readable regular file');
    expectNoSecret(result.stdout + result.stderr);
    // Control: an ordinary path is named in full.
    const plain = await exkeys(project, ['set', 'coinbase', '--from-file', 'nothere.json']);
    expect(plain.stderr).toContain('"nothere.json"');
  });

  it('refuses --from-file for an exchange without key files, and with --secret-file', async () => {
    project = newProject();
    const bybit = await exkeys(project, [
      'set',
      'bybit',
      '--from-file',
      keyFile('k.json', ED25519),
    ]);
    expect(bybit.code).not.toBe(0);
    expect(bybit.stderr).toContain('bybit has no key file');
    const both = await exkeys(project, [
      'set',
      'coinbase',
      '--from-file',
      'k.json',
      '--secret-file',
      'k.json',
    ]);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('takes no --key-only or --secret-file');
  });

  it('refuses a PEM pasted with the literal \\n of the JSON file, pointing to --from-file', async () => {
    project = newProject();
    const escaped = ECDSA.privateKey.trimEnd().replaceAll('\n', '\\n');
    const result = await exkeys(project, ['set', 'coinbase'], {
      input: `${ECDSA.name}\n${escaped}\n`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('literal \\n escapes');
    expect(result.stderr).toContain('exkeys set coinbase --from-file cdp_api_key.json');
    expect(result.stderr).toContain('Nothing was saved.');
    expectNoSecret(result.stdout + result.stderr);
  });
});

describe('exkeys verify coinbase (against the sandbox)', () => {
  const envOf = (...keys: Array<{ id: string; privateKey: string }>) =>
    keys
      .map((k, i) => {
        const prefix = i === 0 ? 'COINBASE_API_' : `COINBASE_P${i}_API_`;
        return `${prefix}KEY=${k.id}\n${prefix}SECRET=${k.privateKey}\n`;
      })
      .join('');

  it('shows the IP whitelist as unknown and refuses by default, naming ip-whitelist; --accept-unchecked accepts it', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), envOf(ED25519), { mode: 0o600 });
    const refused = await exkeys(project, ['verify', '--base-url', sandbox.url]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/coinbase\s+default\s+yes\s+yes\s+no\s+unknown\s+-\s+unchecked/);
    expect(refused.stdout).toContain('--accept-unchecked ip-whitelist');
    const accepted = await exkeys(project, [
      'verify',
      '--base-url',
      sandbox.url,
      '--accept-unchecked',
      'ip-whitelist',
    ]);
    expect(accepted.code, accepted.stdout).toBe(0);
    expect(accepted.stdout).toMatch(/coinbase\s+default\s+yes\s+yes\s+no\s+unknown\s+-\s+ok/);
    expectNoSecret(refused.stdout + refused.stderr + accepted.stdout + accepted.stderr);
  });

  it('refuses a key that can transfer (withdraw) even with --accept-unchecked; doctor --live too', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), envOf(DRAIN), { mode: 0o600 });
    const result = await exkeys(project, [
      'verify',
      '--json',
      '--base-url',
      sandbox.url,
      '--accept-unchecked',
      'ip-whitelist',
    ]);
    expect(result.code).toBe(1);
    const [only] = JSON.parse(result.stdout) as Array<{ ok: boolean; error?: { reason?: string } }>;
    expect(only).toMatchObject({ ok: false, error: { reason: 'withdraw-enabled' } });
    const doctor = await exkeys(project, ['doctor', '--live', '--base-url', sandbox.url]);
    expect(doctor.code).not.toBe(0);
    expectNoSecret(result.stdout + result.stderr + doctor.stdout + doctor.stderr);
  });

  it('reports a wrong private key as invalid-key with the causes a bare 401 can mean', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), envOf({ ...ED25519, privateKey: DRAIN.privateKey }), {
      mode: 0o600,
    });
    const result = await exkeys(project, ['verify', '--json', '--base-url', sandbox.url]);
    expect(result.code).toBe(1);
    const [only] = JSON.parse(result.stdout) as Array<{
      error?: { reason?: string; message: string };
    }>;
    expect(only?.error?.reason).toBe('invalid-key');
    expect(only?.error?.message).toContain('clock');
    expectNoSecret(result.stdout + result.stderr);
  });
});

describe('exkeys rotate coinbase --from-file', () => {
  it('verifies the new key file live, swaps it in and names the old key; a refused one changes nothing', async () => {
    project = newProject();
    writeFileSync(
      join(project.dir, '.env'),
      `COINBASE_API_KEY=${ED25519.id}\nCOINBASE_API_SECRET=${ED25519.privateKey}\n`,
      { mode: 0o600 },
    );
    const before = readFileSync(join(project.dir, '.env'));
    // Control: the withdraw-enabled key is refused, and the file stays byte for byte.
    const refused = await exkeys(project, [
      'rotate',
      'coinbase',
      '--from-file',
      keyFile('drain.json', DRAIN),
      '--base-url',
      sandbox.url,
      '--accept-unchecked',
      'ip-whitelist',
    ]);
    expect(refused.code).toBe(1);
    expect(readFileSync(join(project.dir, '.env'))).toEqual(before);
    const rotated = await exkeys(project, [
      'rotate',
      'coinbase',
      '--from-file',
      keyFile('cdp_api_key.json', ECDSA),
      '--base-url',
      sandbox.url,
      '--accept-unchecked',
      'ip-whitelist',
    ]);
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('Now delete the OLD key c0ffee…');
    expect(readFileSync(join(project.dir, '.env'), 'utf8')).toContain(
      `COINBASE_API_KEY=${ECDSA.name}`,
    );
    expectNoSecret(refused.stdout + refused.stderr + rotated.stdout + rotated.stderr);
  });
});

describe('exkeys keygen coinbase', () => {
  it('explains that Coinbase generates the key pair and points to --from-file; Binance still generates (control)', async () => {
    project = newProject();
    const result = await exkeys(project, ['keygen', 'coinbase', '--no-key']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Coinbase generates the key pair itself');
    expect(result.stderr).toContain('exkeys set coinbase --from-file');
    expect(() => statSync(join(project.dir, '.env'))).toThrow();
    const binance = await exkeys(project, ['keygen', 'binance', '--no-key']);
    expect(binance.code, binance.stderr).toBe(0);
    expect(binance.stdout).toContain('BEGIN PUBLIC KEY');
  });
});
