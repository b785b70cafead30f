import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaffoldError, scaffold } from './index.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const repo = join(pkg, '..', '..');
const bin = join(pkg, 'dist', 'bin.js');
let work: string;

beforeAll(() => {
  // The template comes from apps/example-bot; the bin test runs the built file.
  execFileSync(process.execPath, ['scripts/copy-template.mjs'], { cwd: pkg });
  execFileSync(
    process.execPath,
    [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: pkg,
    },
  );
  work = mkdtempSync(join(tmpdir(), 'exkeys-create-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

describe('create-bot without a terminal', () => {
  it('takes the defaults and never waits for input', async () => {
    // stdin stays open and silent: a prompt would hang until the timeout.
    const child = spawn(process.execPath, [bin], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const code = await new Promise<number | null>((done) => {
      const timer = setTimeout(() => child.kill(), 15_000);
      child.on('exit', (status) => {
        clearTimeout(timer);
        done(status);
      });
    });
    expect(code).toBe(0);
    expect(stdout).toContain('npm run demo');
    const manifest = JSON.parse(read(join(work, 'my-bot'), 'package.json'));
    expect(Object.keys(manifest.dependencies)).toEqual(['@exkeys/credentials', '@exkeys/bybit']);
    expect(read(join(work, 'my-bot'), 'src/store.ts')).toContain(
      "DEFAULT_STORE: StoreKind = 'env'",
    );
  });

  it('exits 2 with the accepted values for an unknown store or exchange, writing nothing', () => {
    for (const args of [
      ['bad1', '--store', 'vault'],
      ['bad2', '--exchanges', 'bybit,mtgox'],
    ]) {
      const result = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: 'utf8' });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/choose from (env, age, docker|bybit, binance, okx, )/);
      expect(readdirSync(work)).not.toContain(args[0]);
    }
  });
});

describe('scaffold', () => {
  it('keeps only the chosen exchanges, with the current @exkeys versions', async () => {
    const { dir, files } = await scaffold({ dir: join(work, 'okx-bot'), exchanges: ['okx'] });
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'tsconfig.json',
        '.gitignore',
        '.env.example',
        'README.md',
      ]),
    );
    const exchanges = read(dir, 'src/exchanges.ts');
    expect(exchanges).toContain("export const EXCHANGES = ['okx'] as const;");
    expect(exchanges).not.toMatch(
      /@exkeys\/(bybit|binance|coinbase)|case 'bybit'|case 'binance'|case 'coinbase'/,
    );
    expect(exchanges).toContain("case 'okx'");
    expect(read(dir, 'src/main.ts')).toContain("env.EXKEYS_EXCHANGE ?? 'okx'");
    // The bot's code is the example bot's, not a fork.
    expect(read(dir, 'src/bot.ts')).toBe(read(repo, 'apps/example-bot/src/bot.ts'));
    const manifest = JSON.parse(read(dir, 'package.json'));
    for (const [name, range] of Object.entries({
      ...manifest.dependencies,
      ...manifest.devDependencies,
    })) {
      if (!name.startsWith('@exkeys/')) continue;
      const version = JSON.parse(read(repo, `packages/${name.slice(8)}/package.json`)).version;
      expect(range).toBe(`^${version}`);
    }
    expect(Object.keys(manifest.dependencies)).toEqual(['@exkeys/credentials', '@exkeys/okx']);
    expect(Object.keys(manifest.scripts)).toEqual(['build', 'test', 'start', 'demo']);
    expect(read(dir, '.env.example')).toContain('OKX_API_PASSPHRASE=');
    expect(JSON.parse(read(dir, 'tsconfig.json')).extends).toBeUndefined();
  });

  it('offers Coinbase: its package, its case and its two variables (no passphrase)', async () => {
    const { dir } = await scaffold({ dir: join(work, 'coinbase-bot'), exchanges: ['coinbase'] });
    const exchanges = read(dir, 'src/exchanges.ts');
    expect(exchanges).toContain("export const EXCHANGES = ['coinbase'] as const;");
    expect(exchanges).toContain("from '@exkeys/coinbase'");
    expect(exchanges).toContain("case 'coinbase'");
    expect(exchanges).not.toMatch(/case 'okx'|@exkeys\/okx/);
    const manifest = JSON.parse(read(dir, 'package.json'));
    expect(Object.keys(manifest.dependencies)).toEqual(['@exkeys/credentials', '@exkeys/coinbase']);
    const example = read(dir, '.env.example');
    expect(example).toContain('COINBASE_API_KEY=\nCOINBASE_API_SECRET=');
    expect(example).not.toContain('COINBASE_API_PASSPHRASE');
  });
  it('offers KuCoin: its client, its three variables, and no other exchange', async () => {
    const { dir } = await scaffold({ dir: join(work, 'kucoin-bot'), exchanges: ['kucoin'] });
    const exchanges = read(dir, 'src/exchanges.ts');
    expect(exchanges).toContain("export const EXCHANGES = ['kucoin'] as const;");
    expect(exchanges).toContain("case 'kucoin'");
    expect(exchanges).toContain("from '@exkeys/kucoin'");
    expect(exchanges).not.toMatch(/@exkeys\/(bybit|binance|okx)|case 'okx'/);
    expect(read(dir, 'src/main.ts')).toContain("env.EXKEYS_EXCHANGE ?? 'kucoin'");
    const manifest = JSON.parse(read(dir, 'package.json'));
    expect(Object.keys(manifest.dependencies)).toEqual(['@exkeys/credentials', '@exkeys/kucoin']);
    for (const name of ['KUCOIN_API_KEY=', 'KUCOIN_API_SECRET=', 'KUCOIN_API_PASSPHRASE=']) {
      expect(read(dir, '.env.example')).toContain(name);
    }
  });

  it('offers Kraken: its connect branch, package and two variables, nothing of the others', async () => {
    const { dir } = await scaffold({ dir: join(work, 'kraken-bot'), exchanges: ['kraken'] });
    const exchanges = read(dir, 'src/exchanges.ts');
    expect(exchanges).toContain("export const EXCHANGES = ['kraken'] as const;");
    expect(exchanges).toContain("case 'kraken'");
    expect(exchanges).toContain("from '@exkeys/kraken'");
    expect(exchanges).not.toMatch(/@exkeys\/(bybit|binance|okx)'|case '(bybit|binance|okx)'/);
    expect(read(dir, 'src/main.ts')).toContain("env.EXKEYS_EXCHANGE ?? 'kraken'");
    const manifest = JSON.parse(read(dir, 'package.json'));
    expect(Object.keys(manifest.dependencies)).toEqual(['@exkeys/credentials', '@exkeys/kraken']);
    const example = read(dir, '.env.example');
    expect(example).toContain('KRAKEN_API_KEY=\nKRAKEN_API_SECRET=\n');
    expect(example).not.toMatch(/BYBIT|OKX|PASSPHRASE=/);
  });

  it('writes compose.yaml with one secret per variable for the docker store', async () => {
    const { dir } = await scaffold({
      dir: join(work, 'docker-bot'),
      exchanges: ['bybit', 'okx'],
      store: 'docker',
    });
    const compose = read(dir, 'compose.yaml');
    for (const name of [
      'BYBIT_API_KEY',
      'BYBIT_API_SECRET',
      'OKX_API_KEY',
      'OKX_API_SECRET',
      'OKX_API_PASSPHRASE',
    ]) {
      expect(compose).toContain(`      - ${name}\n`);
      expect(compose).toContain(`    file: ./secrets/${name}\n`);
    }
    expect(compose).not.toContain('BINANCE');
    expect(read(dir, 'src/store.ts')).toContain("DEFAULT_STORE: StoreKind = 'secrets'");
    const age = await scaffold({ dir: join(work, 'age-bot'), store: 'age' });
    expect(read(age.dir, 'src/store.ts')).toContain("DEFAULT_STORE: StoreKind = 'age'");
    expect(read(age.dir, 'README.md')).toContain('npx exkeys encrypt');
  });

  it('has git ignore every secret file and keep the rest', async (ctx) => {
    if (spawnSync('git', ['--version']).status !== 0) {
      console.info('skipped: git is not installed');
      ctx.skip();
    }
    const { dir } = await scaffold({ dir: join(work, 'ignore-bot'), store: 'docker' });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const ignored = (path: string) =>
      spawnSync('git', ['check-ignore', '-q', path], { cwd: dir }).status === 0;
    for (const path of [
      '.env',
      '.env.sandbox',
      '.env.production',
      '.env.age',
      'bot.env.age',
      'age-identity.txt',
      'identity.txt',
      'keys.agekey',
      '.env.4242.0123456789ab.tmp',
      '.env.lock',
      'secrets/BYBIT_API_KEY',
      'dist/main.js',
    ]) {
      expect([path, ignored(path)]).toEqual([path, true]);
    }
    // Controls: what must be committed is not ignored.
    for (const path of ['.env.example', 'src/bot.ts', 'compose.yaml', 'package.json']) {
      expect([path, ignored(path)]).toEqual([path, false]);
    }
  });

  it('refuses a folder that is not empty, and unknown choices', async () => {
    const full = join(work, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'mine');
    await expect(scaffold({ dir: full })).rejects.toThrow(/is not empty/);
    expect(readdirSync(full)).toEqual(['keep.txt']);
    await expect(scaffold({ dir: join(work, 'x1'), exchanges: [] })).rejects.toBeInstanceOf(
      ScaffoldError,
    );
    // @ts-expect-error not an exchange
    await expect(scaffold({ dir: join(work, 'x2'), exchanges: ['gemini'] })).rejects.toThrow(
      /gemini/,
    );
  });
});

// On a terminal, create-bot asks for what the command line left out. tmux gives it a real one.
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `create-bot-${process.pid}`;
afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-L', socket, 'kill-server']);
});

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
}

async function waitFor(test: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (test()) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`timed out waiting for ${what}:\n${tmux('capture-pane', '-p', '-t', 'bot')}`);
}

describe('create-bot on a terminal (tmux)', () => {
  it('asks for the folder, the exchanges and the store', async (ctx) => {
    if (!hasTmux) {
      console.info('skipped: tmux (Debian package `tmux`) is not installed: no pseudo-terminal');
      ctx.skip();
    }
    const command = `${process.execPath} ${bin}`;
    tmux('new-session', '-d', '-s', 'bot', '-x', '150', '-y', '40', '-c', work, command);
    const screen = () => tmux('capture-pane', '-p', '-t', 'bot');
    for (const [question, answer] of [
      ['Project folder (my-bot)', 'tty-bot'],
      ['Exchanges, comma-separated', 'binance'],
      ['Store (env, age, docker) (env)', 'docker'],
    ] as const) {
      await waitFor(() => screen().includes(question), question);
      tmux('send-keys', '-t', 'bot', '-l', answer);
      tmux('send-keys', '-t', 'bot', 'Enter');
    }
    const dir = join(work, 'tty-bot');
    await waitFor(() => existsSync(join(dir, 'compose.yaml')), 'the project');
    expect(readFileSync(join(dir, 'src/exchanges.ts'), 'utf8')).toContain(
      "export const EXCHANGES = ['binance'] as const;",
    );
    expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toContain('BINANCE_API_SECRET');
  });
});
