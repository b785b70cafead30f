/**
 * `exkeys run` masks the child's stdout and stderr by default (issue 14 §4): the real binary runs a
 * real child that prints the injected canary values whole, split across writes, encoded and as
 * request signatures; `--no-masking` is the control that shows the child really printed them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  CANARY_OKX_PASSPHRASE,
  CANARY_OKX_SECRET,
  cliProjects,
  exkeys,
  leakedFragments,
  type TempProject,
} from './test-cli.js';

const newProject = cliProjects();
const SIGNATURE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

// The child prints each value in its own way, the secret in two writes 50 ms apart.
const CHILD = `
const env = process.env;
const s = env.BYBIT_API_SECRET;
process.stdout.write('key ' + env.BYBIT_API_KEY + '\\n');
process.stdout.write('secret ' + s.slice(0, 11));
setTimeout(() => {
  process.stdout.write(s.slice(11) + '\\n');
  console.error('okx ' + JSON.stringify({ passphrase: env.OKX_API_PASSPHRASE, secret: env.OKX_API_SECRET }));
  console.error('url ' + encodeURIComponent(env.OKX_API_PASSPHRASE));
  console.log('GET /api/v3/account?timestamp=1&signature=${SIGNATURE}');
  console.log('X-BAPI-SIGN: ${SIGNATURE}');
  console.log('plain output stays');
  process.exit(3);
}, 50);
`;

function writeEnv(project: TempProject): void {
  writeFileSync(
    join(project.dir, '.env'),
    `BYBIT_API_KEY=${CANARY_BYBIT_KEY}\nBYBIT_API_SECRET=${CANARY_BYBIT_SECRET}\nOKX_API_KEY=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\nOKX_API_SECRET=${CANARY_OKX_SECRET}\nOKX_API_PASSPHRASE=${CANARY_OKX_PASSPHRASE}\n`,
    { mode: 0o600 },
  );
}

describe('exkeys run masking', () => {
  it("masks the injected values and signatures in the child's stdout and stderr, keeping its exit code", async () => {
    const project = newProject();
    writeEnv(project);
    const masked = await exkeys(project, ['run', '--', process.execPath, '-e', CHILD]);
    expect(masked.code).toBe(3);
    expect(masked.stdout).toContain('key [masked:BYBIT_API_KEY]\n');
    expect(masked.stdout).toContain('secret [masked:BYBIT_API_SECRET]\n');
    expect(masked.stdout).toContain('signature=[masked signature]');
    expect(masked.stdout).toContain('X-BAPI-SIGN: [masked signature]');
    expect(masked.stdout).toContain('plain output stays\n');
    expect(masked.stderr).toContain('[masked:OKX_API_PASSPHRASE]');
    expect(masked.stderr).toContain('"secret":"[masked:OKX_API_SECRET]"');
    expect(masked.stderr).toContain('url [masked:OKX_API_PASSPHRASE]');
    const all = masked.stdout + masked.stderr;
    for (const secret of [
      CANARY_BYBIT_SECRET,
      CANARY_OKX_SECRET,
      CANARY_OKX_PASSPHRASE,
      SIGNATURE,
    ]) {
      expect(leakedFragments(all, secret)).toEqual([]);
    }
    expect(all).not.toContain(CANARY_BYBIT_KEY);

    // Control: the child really printed them.
    const plain = await exkeys(project, [
      'run',
      '--no-masking',
      '--',
      process.execPath,
      '-e',
      CHILD,
    ]);
    expect(plain.code).toBe(3);
    expect(plain.stdout).toContain(`secret ${CANARY_BYBIT_SECRET}\n`);
    expect(plain.stdout).toContain(`X-BAPI-SIGN: ${SIGNATURE}`);
    expect(plain.stderr).toContain(encodeURIComponent(CANARY_OKX_PASSPHRASE));
  });
});
