import { describe, expect, it } from 'vitest';
import { exkeys, sharedCliProject } from './test-cli.js';

const sharedProject = sharedCliProject();

const CANARY = 'CANARYargvSECRET0value9Xq2';

describe('secrets as arguments', () => {
  const forms = [
    ['set', 'bybit', '--secret', CANARY],
    ['set', 'bybit', `--secret=${CANARY}`],
    ['set', 'bybit', '--api-secret', CANARY],
    ['set', 'bybit', `--api-key=${CANARY}`],
    ['rotate', 'okx', '--passphrase', CANARY],
    ['list', `--password=${CANARY}`],
    ['verify', '--token', CANARY],
    ['set', 'bybit', '--key', CANARY],
    ['set', 'bybit', `--API_SECRET=${CANARY}`],
    ['set', 'bybit', `--apiSecret=${CANARY}`],
    ['set', 'bybit', '---secret', CANARY],
    // A `--` only shields what `exkeys run` starts; elsewhere it must not open a way around the rule.
    ['set', '--', `--secret=${CANARY}`],
    ['verify', 'bybit', '--', '--api-key', CANARY],
    ['run', '--token', CANARY, '--', 'true'],
  ];
  for (const args of forms) {
    it(`refuses ${args.slice(0, 3).join(' ').replace(CANARY, '<value>')} with exit 2, without echoing the value`, async () => {
      const result = await exkeys(sharedProject(), args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('never accepts secrets as command-line arguments');
      expect(result.stdout + result.stderr).not.toContain(CANARY);
      expect(result.stdout + result.stderr).not.toContain(CANARY.slice(0, 8));
    });
  }

  it('does not echo a value in an unknown --opt=value either', async () => {
    const result = await exkeys(sharedProject(), ['list', `--whatever=${CANARY}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--whatever=…'");
    expect(result.stdout + result.stderr).not.toContain(CANARY.slice(0, 8));
  });

  it('does not echo the value glued to an unknown short option (-sVALUE)', async () => {
    for (const flag of ['-s', '-k', '-p']) {
      const result = await exkeys(sharedProject(), ['set', 'bybit', `${flag}${CANARY}`]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`unknown option '${flag}…'`);
      expect(result.stdout + result.stderr).not.toContain(CANARY.slice(0, 8));
    }
  });

  it('does not echo a secret pasted as the exchange, the profile or the --secret-file path', async () => {
    const cases = [
      ['set', CANARY],
      ['set', '--', `${CANARY}-x`],
      ['validate', `${CANARY}/x`],
      ['set', 'bybit', '--profile', `${CANARY}-x`],
      ['set', 'bybit', `--profile=${CANARY}-x`],
      ['set', 'bybit', '--secret-file', CANARY],
    ];
    for (const args of cases) {
      const result = await exkeys(sharedProject(), args, { input: '' });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain('CAN…');
      expect((result.stdout + result.stderr).toLowerCase()).not.toContain(
        CANARY.slice(0, 8).toLowerCase(),
      );
    }
  });

  it('masks a secret pasted as --max-age, --port, --base-url or an exchange id of up to 24 characters', async () => {
    const short = CANARY.slice(0, 20);
    const cases = [
      ['list', '--max-age', CANARY],
      ['sandbox', '--port', CANARY],
      ['verify', '--base-url', CANARY],
      ['set', short],
      ['set', short.toUpperCase()],
    ];
    for (const args of cases) {
      const result = await exkeys(sharedProject(), args, { input: '' });
      expect(result.code, args.join(' ')).toBe(2);
      const output = (result.stdout + result.stderr).toLowerCase();
      expect(output, args.join(' ')).not.toContain(CANARY.slice(0, 8).toLowerCase());
    }
  });

  it('control: shows a mistyped path or word in full, so the user sees the typo', async () => {
    const cases: Array<[string[], string]> = [
      [['set', 'bybit', '--secret-file', 'keys/missing-private.pem'], 'keys/missing-private.pem'],
      [['scan', 'srcc/typo-dir'], 'srcc/typo-dir'],
      [['list', '--max-age', 'ninety-days'], 'ninety-days'],
      [['run', '--keystore', 'missing.env.age', '--', 'true'], 'missing.env.age'],
    ];
    for (const [args, shown] of cases) {
      const result = await exkeys(sharedProject(), args, { input: '' });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(shown);
    }
  });

  it("judges commander's echoes by the core's one rule: a long word is shown, a credential is not", async () => {
    const word = await exkeys(sharedProject(), ['rotate-every-key-now']);
    expect(word.code).toBe(2);
    expect(word.stderr).toContain("unknown command 'rotate-every-key-now'");
    const secret = await exkeys(sharedProject(), [CANARY]);
    expect(secret.code).toBe(2);
    expect(secret.stderr).toContain("unknown command 'CAN…'");
    expect(secret.stdout + secret.stderr).not.toContain(CANARY.slice(0, 8));
  });

  it('does not echo surplus positional arguments', async () => {
    const result = await exkeys(sharedProject(), ['set', 'bybit', CANARY]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('too many arguments');
    expect(result.stdout + result.stderr).not.toContain(CANARY.slice(0, 8));
  });

  it('leaves arguments after -- to the command given to run', async () => {
    const script = 'process.exit(process.argv.includes("--token") ? 0 : 3)';
    const result = await exkeys(sharedProject(), [
      'run',
      '--',
      process.execPath,
      '-e',
      script,
      '--',
      '--token',
    ]);
    expect(result.code).toBe(0);
  });
});

describe('usage', () => {
  it('exits 2 on an unknown option, an unknown command and a missing argument', async () => {
    expect((await exkeys(sharedProject(), ['list', '--frobnicate'])).code).toBe(2);
    expect((await exkeys(sharedProject(), ['frobnicate'])).code).toBe(2);
    expect((await exkeys(sharedProject(), ['set'])).code).toBe(2);
    // Bare `exkeys` shows the help: exit 0, as documented.
    expect((await exkeys(sharedProject(), [])).code).toBe(0);
  });

  it('exits 2 for an invalid exchange id or profile', async () => {
    const bad = await exkeys(sharedProject(), ['set', 'by-bit'], { input: 'a\nb\n' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Invalid exchange id');
    const profile = await exkeys(sharedProject(), ['set', 'bybit', '--profile', 'no way'], {
      input: 'a\nb\n',
    });
    expect(profile.code).toBe(2);
  });

  it('has an example in the help of every command, and exits 0', async () => {
    const commands = [
      'init',
      'set',
      'list',
      'validate',
      'verify',
      'rotate',
      'doctor',
      'scan',
      'encrypt',
      'decrypt',
      'run',
      'sandbox',
    ];
    const main = await exkeys(sharedProject(), ['--help']);
    expect(main.code).toBe(0);
    for (const command of commands) {
      expect(main.stdout).toContain(command);
      const help = await exkeys(sharedProject(), [command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(
        new RegExp(`Example:\\n\\s+\\$ (EXKEYS_PASSPHRASE=… )?exkeys ${command}`),
      );
    }
  });

  it('prints its version', async () => {
    const result = await exkeys(sharedProject(), ['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('colour', () => {
  // `list` of a missing file prints plain text; `--help` headings are where colour would show.
  const ESC = '\x1b[';
  it('uses no colour when stdout is not a TTY, even with CI set', async () => {
    const result = await exkeys(sharedProject(), ['validate'], { env: { CI: 'true' } });
    expect(result.stdout + result.stderr).not.toContain(ESC);
  });

  it('uses colour with FORCE_COLOR, and NO_COLOR turns it off', async () => {
    const forced = await exkeys(sharedProject(), ['doctor'], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain(ESC);
    const none = await exkeys(sharedProject(), ['doctor'], { env: { NO_COLOR: '1' } });
    expect(none.stdout).not.toContain(ESC);
  });
});
