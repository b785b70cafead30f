import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '@exkeys/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BIN,
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  cliProjects,
  exkeys,
  leakedFragments,
  missingCommands,
  type TempProject,
} from './test-cli.js';

const noTmux = missingCommands(['tmux'], 'tmux');
const PASSPHRASE = 'CANARYpassphrase tmux 0xq7';
let project: TempProject;
let socket: string;

const newProject = cliProjects();
afterEach(() => {
  if (socket) spawnSync('tmux', ['-L', socket, 'kill-server']);
});

function tmux(...args: string[]): string {
  const result = spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {
    encoding: 'utf8',
    env: project.env,
  });
  if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

/** Everything the terminal showed, scrollback included. */
function screen(): string {
  return tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'exkeys');
}

async function waitFor(text: string): Promise<string> {
  for (let i = 0; i < 200; i += 1) {
    const shown = screen();
    if (shown.includes(text)) return shown;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`"${text}" never appeared on the terminal:\n${screen()}`);
}

describe('hidden prompt in a real terminal (tmux)', () => {
  it('Ctrl-C at the prompt exits 130 and writes nothing', async (ctx) => {
    if (noTmux) ctx.skip(`${noTmux}: cannot open a pseudo-terminal`);
    project = newProject();
    socket = `exkeys-test-${process.pid}-${Date.now()}`;
    const command = `${process.execPath} -- ${BIN} set bybit; echo "EXIT=$?"; sleep 60`;
    tmux('new-session', '-d', '-s', 'exkeys', '-x', '200', '-y', '50', '-c', project.dir, command);
    await waitFor('BYBIT_API_KEY');
    tmux('send-keys', '-t', 'exkeys', 'C-c');
    const shown = await waitFor('EXIT=');
    expect(shown).toContain('EXIT=130');
    expect(shown).toContain('Cancelled: nothing was changed.');
  });

  it('exkeys set does not echo the key or the secret', async (ctx) => {
    if (noTmux) ctx.skip(`${noTmux}: cannot open a pseudo-terminal`);
    project = newProject();
    socket = `exkeys-test-${process.pid}-${Date.now()}`;
    const command = `${process.execPath} -- ${BIN} set bybit; echo "EXIT=$?"; sleep 60`;
    tmux('new-session', '-d', '-s', 'exkeys', '-x', '200', '-y', '50', '-c', project.dir, command);
    await waitFor('BYBIT_API_KEY');
    tmux('send-keys', '-t', 'exkeys', '-l', CANARY_BYBIT_KEY);
    tmux('send-keys', '-t', 'exkeys', 'Enter');
    await waitFor('BYBIT_API_SECRET');
    tmux('send-keys', '-t', 'exkeys', '-l', CANARY_BYBIT_SECRET);
    tmux('send-keys', '-t', 'exkeys', 'Enter');
    const shown = await waitFor('EXIT=');
    expect(shown).toContain('EXIT=0');
    expect(shown).toContain('saved bybit key CANARY…');
    expect(shown).toContain('•'); // the mask was drawn instead of the characters
    expect(leakedFragments(shown, CANARY_BYBIT_SECRET)).toEqual([]);
    expect(shown).not.toContain(CANARY_BYBIT_KEY);
    const saved = readFileSync(join(project.dir, '.env'), 'utf8');
    expect(saved).toContain(`BYBIT_API_SECRET=${CANARY_BYBIT_SECRET}`);
  });
});

describe('keygen in a real terminal (tmux)', () => {
  it('shows the public key, then asks for the API key without echo; the private key never appears', async (ctx) => {
    if (noTmux) ctx.skip(`${noTmux}: cannot open a pseudo-terminal`);
    project = newProject();
    socket = `exkeys-test-${process.pid}-${Date.now()}`;
    const apiKey = `CANARYkeygenTTY${'7Qx2Lm9Zr4'.repeat(5)}`.slice(0, 64);
    const command = `${process.execPath} -- ${BIN} keygen binance; echo "EXIT=$?"; sleep 60`;
    tmux('new-session', '-d', '-s', 'exkeys', '-x', '200', '-y', '50', '-c', project.dir, command);
    const asked = await waitFor('BINANCE_API_KEY that Binance shows');
    expect(asked.indexOf('-----END PUBLIC KEY-----')).toBeGreaterThan(-1);
    expect(asked.indexOf('-----END PUBLIC KEY-----')).toBeLessThan(
      asked.indexOf('BINANCE_API_KEY that'),
    );
    tmux('send-keys', '-t', 'exkeys', '-l', apiKey);
    tmux('send-keys', '-t', 'exkeys', 'Enter');
    const shown = await waitFor('EXIT=');
    expect(shown).toContain('EXIT=0');
    expect(shown).toContain('saved Binance key CANARY…');
    expect(shown).not.toContain(apiKey);
    const saved = readFileSync(join(project.dir, '.env'), 'utf8');
    expect(saved).toContain(`BINANCE_API_KEY=${apiKey}`);
    // The Ed25519 seed is the last 43 base64 characters of the one-line PKCS#8 body.
    const seed = /MC4CAQAwBQYDK2VwBCIEI([A-Za-z0-9+/]{43})/.exec(saved)?.[1] ?? '';
    expect(seed).toHaveLength(43);
    expect(leakedFragments(shown.replace(/\s+/g, ''), seed)).toEqual([]);
  });
});

describe('hidden keystore passphrase prompt (tmux)', () => {
  it('exkeys encrypt asks twice without echo, and the passphrase opens the keystore', async (ctx) => {
    if (noTmux) ctx.skip(`${noTmux}: cannot open a pseudo-terminal`);
    project = newProject();
    writeFileSync(
      join(project.dir, '.env'),
      `BYBIT_API_KEY=${CANARY_BYBIT_KEY}\nBYBIT_API_SECRET=${CANARY_BYBIT_SECRET}\n`,
      { mode: 0o600 },
    );
    socket = `exkeys-test-${process.pid}-${Date.now()}`;
    const command = `${process.execPath} -- ${BIN} encrypt; echo "EXIT=$?"; sleep 60`;
    tmux('new-session', '-d', '-s', 'exkeys', '-x', '200', '-y', '50', '-c', project.dir, command);
    await waitFor('Passphrase for');
    tmux('send-keys', '-t', 'exkeys', '-l', PASSPHRASE);
    tmux('send-keys', '-t', 'exkeys', 'Enter');
    await waitFor('Type it again');
    tmux('send-keys', '-t', 'exkeys', '-l', PASSPHRASE);
    tmux('send-keys', '-t', 'exkeys', 'Enter');
    const shown = await waitFor('EXIT=');
    expect(shown).toContain('EXIT=0');
    expect(shown).toContain('encrypted .env into .env.age (2 variables)');
    expect(shown).not.toContain(PASSPHRASE.slice(0, 8));
    expect(leakedFragments(shown, CANARY_BYBIT_SECRET)).toEqual([]);
    const opened = await exkeys(project, ['list', '--json', '--keystore', '.env.age'], {
      env: { EXKEYS_PASSPHRASE: PASSPHRASE },
    });
    expect(opened.code, opened.stderr).toBe(0);
    expect(JSON.parse(opened.stdout)).toMatchObject([{ exchange: 'bybit', keyPreview: 'CANARY…' }]);
  });
});

describe('progress on a real terminal (tmux)', () => {
  it('exkeys verify shows a spinner while the exchange answers, then clears it', async (ctx) => {
    if (noTmux) ctx.skip(`${noTmux}: cannot open a pseudo-terminal`);
    // A slow exchange, so the spinner is on screen long enough to be seen.
    const sandbox = await startSandbox({
      keys: [{ exchange: 'bybit', apiKey: CANARY_BYBIT_KEY, apiSecret: CANARY_BYBIT_SECRET }],
      latencyMs: 1500,
    });
    try {
      project = newProject();
      writeFileSync(
        join(project.dir, '.env'),
        `BYBIT_API_KEY=${CANARY_BYBIT_KEY}\nBYBIT_API_SECRET=${CANARY_BYBIT_SECRET}\n`,
        { mode: 0o600 },
      );
      socket = `exkeys-test-${process.pid}-${Date.now()}`;
      const command = `${process.execPath} -- ${BIN} verify --base-url ${sandbox.url}; echo "EXIT=$?"; sleep 60`;
      tmux(
        'new-session',
        '-d',
        '-s',
        'exkeys',
        '-x',
        '200',
        '-y',
        '50',
        '-c',
        project.dir,
        command,
      );
      const spinning = await waitFor('Verifying bybit (default)…');
      expect(spinning).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Verifying bybit \(default\)…/);
      const done = await waitFor('EXIT=');
      expect(done).toContain('EXIT=0');
      expect(done).not.toContain('Verifying bybit'); // the spinner line was cleared
      expect(done).toMatch(/bybit\s+default\s+yes\s+yes\s+no/);
      expect(leakedFragments(done, CANARY_BYBIT_SECRET)).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });
});
