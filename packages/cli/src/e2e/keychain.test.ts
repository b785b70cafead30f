import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  BIN,
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  cliProjects,
  filesUnder,
  leakedFragments,
  missingCommands,
} from './test-cli.js';

const run = promisify(execFile);
const newProject = cliProjects();
const CREDENTIALS = fileURLToPath(new URL('../../../credentials/dist/index.js', import.meta.url));

function missingTool(): string | undefined {
  if (process.platform !== 'linux') return 'skipped: the Secret Service test is Linux-only';
  return missingCommands(
    ['dbus-run-session', 'gnome-keyring-daemon', 'age-keygen'],
    'dbus gnome-keyring age',
  );
}

// Each step prints a marker line, so the test can tell the outputs apart.
const SCRIPT = `
printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
node --input-type=module -e '
  const { keychainStore } = await import(process.env.CREDENTIALS);
  await keychainStore({ service: "exkeys-cli-test" }).write({ EXKEYS_AGE_IDENTITY: process.env.IDENTITY });
'
unset IDENTITY
export EXKEYS_AGE_IDENTITY_KEYCHAIN=exkeys-cli-test
for step in encrypt list decrypt; do
  echo "@@ $step"
  case $step in
    encrypt) node -- "$BIN" encrypt ;;
    list) node -- "$BIN" list --json --keystore .env.age ;;
    decrypt) node -- "$BIN" decrypt --keep ;;
  esac
  echo "@@ exit $?"
done 2>&1
`;

describe('encrypt / decrypt with the age identity in the keychain', () => {
  it('EXKEYS_AGE_IDENTITY_KEYCHAIN opens and creates the keystore, no passphrase or identity file needed', async (ctx) => {
    const missing = missingTool();
    if (missing) ctx.skip(missing);
    const project = newProject();
    const identityFile = join(project.home, 'test.age-identity');
    expect(spawnSync('age-keygen', ['-o', identityFile]).status).toBe(0);
    const identity = readFileSync(identityFile, 'utf8')
      .split('\n')
      .find((line) => line.startsWith('AGE-SECRET-KEY-'));
    expect(identity).toBeDefined();
    const original = `# bot\nBYBIT_API_KEY=${CANARY_BYBIT_KEY}\nBYBIT_API_SECRET=${CANARY_BYBIT_SECRET}\n`;
    writeFileSync(join(project.dir, '.env'), original, { mode: 0o600 });

    const { stdout } = await run('dbus-run-session', ['--', 'bash', '-c', SCRIPT], {
      cwd: project.dir,
      env: {
        ...project.env,
        XDG_RUNTIME_DIR: project.home,
        KEYRING_PASSWORD: 'test-keyring-password',
        CREDENTIALS,
        BIN,
        IDENTITY: identity,
      },
      timeout: 60_000,
    });
    const steps = Object.fromEntries(
      stdout
        .split('@@ ')
        .slice(1)
        .filter((part) => !part.startsWith('exit'))
        .map((part) => [part.split('\n', 1)[0], part]),
    );
    expect(stdout.match(/@@ exit \d+/g)).toEqual(['@@ exit 0', '@@ exit 0', '@@ exit 0']);
    expect(steps.encrypt).toContain('encrypted .env into .env.age (2 variables)');
    // Encrypted to the keychain's identity: the age CLI opens it with that identity's file.
    const keystore = join(project.dir, '.env.age');
    expect(readFileSync(keystore, 'latin1')).toMatch(/^age-encryption\.org\/v1\n-> X25519 /);
    const opened = spawnSync('age', ['-d', '-i', identityFile, keystore], { encoding: 'utf8' });
    expect(opened.stdout).toBe(original);
    expect(steps.list).toContain('"keyPreview": "CANARY…"');
    expect(steps.decrypt).toContain('decrypted .env.age into .env');
    expect(readFileSync(join(project.dir, '.env'), 'utf8')).toBe(original);
    expect(existsSync(keystore)).toBe(true); // --keep

    expect(leakedFragments(stdout, CANARY_BYBIT_SECRET)).toEqual([]);
    expect(stdout).not.toContain('AGE-SECRET-KEY-');
    for (const file of filesUnder(project.dir)) {
      if (file.path.endsWith('/.env')) continue;
      expect(leakedFragments(file.content, CANARY_BYBIT_SECRET), file.path).toEqual([]);
    }
  });
});
