import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { parse } from 'dotenv';
import { beforeEach, describe, expect, it } from 'vitest';
import { CredentialsError } from './errors.js';
import { listConfiguredExchanges } from './list.js';
import { loadApiKeys } from './load.js';
import { getCredentials } from './retrieve.js';
import { saveApiKeys, updateApiKey } from './write-credentials.js';

let dir: string;
let envFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-write-'));
  envFile = join(dir, '.env');
});

const SECRET = 'CANARYsecret0123456789abcdefghijklmn';
const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MC4CAQAwBQYDK2VwBCIEICANARYpemCANARYpemCANARYpemCANARYpem0',
  '-----END PRIVATE KEY-----',
].join('\n');

describe('saveApiKeys', () => {
  it('creates a 0600 file whose values read back through dotenv and our loader', async () => {
    await saveApiKeys('Bybit', { apiKey: 'CANKEY0123456789ab', apiSecret: SECRET }, { envFile });
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    const text = await readFile(envFile, 'utf8');
    expect(parse(text)).toMatchObject({
      BYBIT_API_KEY: 'CANKEY0123456789ab',
      BYBIT_API_SECRET: SECRET,
    });
    const env = {};
    await loadApiKeys({ envFile, target: env });
    expect(getCredentials('bybit', { env }).apiSecret).toBe(SECRET);
  });

  it('updates in place and keeps every other line byte for byte', async () => {
    const before = [
      '# my bot',
      'export BYBIT_API_KEY="old"',
      '',
      "UNRELATED='keep me'   # comment",
      'BYBIT_API_SECRET=old',
      'TAIL=1',
    ].join('\n');
    await writeFile(envFile, before);
    await saveApiKeys('bybit', { apiKey: 'newKey0123456789ab', apiSecret: SECRET }, { envFile });
    const after = await readFile(envFile, 'utf8');
    const lines = after.split('\n');
    for (const line of ['# my bot', '', "UNRELATED='keep me'   # comment", 'TAIL=1']) {
      expect(lines).toContain(line);
    }
    expect(lines.find((l) => !l.startsWith('#') && l.includes('BYBIT_API_KEY'))).toMatch(
      /^export BYBIT_API_KEY=/,
    );
    expect(lines.indexOf('TAIL=1')).toBeGreaterThan(
      lines.findIndex((l) => l.startsWith('BYBIT_API_SECRET')),
    );
    expect(parse(after)).toMatchObject({
      UNRELATED: 'keep me',
      TAIL: '1',
      BYBIT_API_SECRET: SECRET,
    });
  });

  it('stores a PEM secret, a profile and an OKX passphrase', async () => {
    await saveApiKeys(
      'binance',
      { apiKey: 'k'.repeat(64), apiSecret: PEM },
      { envFile, profile: 'grid' },
    );
    await saveApiKeys(
      'okx',
      {
        apiKey: '1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f',
        apiSecret: 'A'.repeat(32),
        passphrase: 'p#ss "q\'',
      },
      { envFile },
    );
    const parsed = parse(await readFile(envFile, 'utf8'));
    expect(parsed.BINANCE_GRID_API_SECRET).toBe(PEM);
    expect(parsed.OKX_API_PASSPHRASE).toBe('p#ss "q\'');
    expect(Object.keys(parsed).sort()).toEqual([
      'BINANCE_GRID_API_KEY',
      'BINANCE_GRID_API_SECRET',
      'OKX_API_KEY',
      'OKX_API_PASSPHRASE',
      'OKX_API_SECRET',
    ]);
  });

  it('never lets a newline create a second variable', async () => {
    await saveApiKeys('bybit', { apiKey: 'a\nEVIL=1', apiSecret: "x'\nEVIL2=2\n#" }, { envFile });
    const parsed = parse(await readFile(envFile, 'utf8'));
    expect(parsed.EVIL).toBeUndefined();
    expect(parsed.EVIL2).toBeUndefined();
    expect(parsed.BYBIT_API_KEY).toBe('a\nEVIL=1');
  });

  it('refuses bad input with a typed error, leaving the file untouched', async () => {
    await writeFile(envFile, 'KEEP=1\n');
    for (const [exchange, creds, options] of [
      ['by bit', { apiKey: 'a', apiSecret: 'b' }, {}],
      ['bybit', { apiKey: 'a', apiSecret: 'b' }, { profile: 'no spaces' }],
      ['bybit', { apiKey: 'a', apiSecret: 42 }, {}],
    ] as const) {
      const error = await saveApiKeys(exchange, creds as never, { envFile, ...options }).catch(
        (e: unknown) => e,
      );
      expect(CredentialsError.isInstance(error)).toBe(true);
    }
    expect(await readFile(envFile, 'utf8')).toBe('KEEP=1\n');
  });
});

describe('updateApiKey', () => {
  it('reaches the running process (override on) and records the rotation time', async () => {
    await saveApiKeys(
      'bybit',
      { apiKey: 'oldKey0123456789ab', apiSecret: 'CANARYold' },
      { envFile },
    );
    const env: Record<string, string | undefined> = {};
    await loadApiKeys({ envFile, target: env });
    const before = Date.now();
    await updateApiKey(
      'bybit',
      { apiKey: 'newKey0123456789ab', apiSecret: SECRET },
      { envFile, env },
    );
    expect(env.BYBIT_API_KEY).toBe('newKey0123456789ab');
    expect(getCredentials('bybit', { env }).apiSecret).toBe(SECRET);
    const [row] = await listConfiguredExchanges({ envFile });
    expect(Date.parse(row?.rotatedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
    expect(row?.ageDays).toBe(0);
  });

  it('leaves undefined fields alone and clears empty ones', async () => {
    await saveApiKeys('okx', { apiKey: 'k1', apiSecret: 's1', passphrase: 'p1' }, { envFile });
    const env: Record<string, string | undefined> = { OKX_API_PASSPHRASE: 'p1' };
    await updateApiKey('okx', { apiSecret: 's2', passphrase: '' }, { envFile, env });
    const parsed = parse(await readFile(envFile, 'utf8'));
    expect(parsed).toMatchObject({ OKX_API_KEY: 'k1', OKX_API_SECRET: 's2' });
    expect(parsed.OKX_API_PASSPHRASE).toBeUndefined();
    expect(env).toEqual({ OKX_API_SECRET: 's2' });
  });

  it('updates process.env by default', async () => {
    await saveApiKeys('zzproc', { apiKey: 'k1', apiSecret: 's1' }, { envFile });
    try {
      await updateApiKey('zzproc', { apiSecret: 'CANARYrotated' }, { envFile });
      expect(process.env.ZZPROC_API_SECRET).toBe('CANARYrotated');
    } finally {
      delete process.env.ZZPROC_API_SECRET;
    }
  });
});

describe('listConfiguredExchanges', () => {
  it('reads the file, not the environment, one row per exchange and profile', async () => {
    process.env.KRAKEN_API_KEY = 'fromEnvOnly';
    try {
      await saveApiKeys('bybit', { apiKey: 'CANKEY0123456789ab', apiSecret: SECRET }, { envFile });
      await saveApiKeys(
        'bybit',
        { apiKey: 'GRIDKEY123456789ab', apiSecret: SECRET },
        { envFile, profile: 'grid' },
      );
      await writeFile(envFile, `${await readFile(envFile, 'utf8')}OKX_API_KEY=x1\n# note\n`);
      const rows = await listConfiguredExchanges({
        envFile,
        now: new Date(Date.now() + 3 * 86_400_000),
      });
      expect(rows.map((r) => `${r.exchange}/${r.profile}`)).toEqual([
        'bybit/default',
        'bybit/GRID',
        'okx/default',
      ]);
      expect(rows[0]).toMatchObject({
        keySet: true,
        secretSet: true,
        passphraseSet: false,
        keyPreview: 'CANKEY…',
        bothConfigured: true,
        ageDays: 3,
      });
      expect(rows[2]).toMatchObject({
        keySet: true,
        secretSet: false,
        bothConfigured: false,
        rotatedAt: null,
        ageDays: null,
      });
      expect(inspect(rows)).not.toContain('CANARY');
      expect(JSON.stringify(rows)).not.toContain('CANKEY0');
    } finally {
      delete process.env.KRAKEN_API_KEY;
    }
  });

  it('keeps rotation times across later saves and hand edits of other lines', async () => {
    await saveApiKeys('bybit', { apiKey: 'CANKEY0123456789ab', apiSecret: SECRET }, { envFile });
    const [first] = await listConfiguredExchanges({ envFile });
    await saveApiKeys('okx', { apiKey: 'k', apiSecret: 's', passphrase: 'p' }, { envFile });
    await writeFile(envFile, `# added by hand\nNEW=1\n${await readFile(envFile, 'utf8')}`);
    const rows = await listConfiguredExchanges({ envFile });
    expect(rows.find((r) => r.exchange === 'bybit')?.rotatedAt).toBe(first?.rotatedAt);
    expect(first?.rotatedAt).not.toBeNull();
  });

  it('returns nothing for a missing file', async () => {
    expect(await listConfiguredExchanges({ envFile: join(dir, 'missing.env') })).toEqual([]);
  });
});
