import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CANARY_BYBIT_KEY,
  CANARY_BYBIT_SECRET,
  cliProjects,
  exkeys,
  filesUnder,
  leakedFragments,
  missingCommands,
  type TempProject,
} from './test-cli.js';

let project: TempProject;
const newProject = cliProjects();

const PASSPHRASE = { EXKEYS_PASSPHRASE: 'correct horse battery staple 42' };
const noAge = missingCommands(['age', 'age-keygen'], 'age');

describe('--keystore (age)', () => {
  it('set writes an age file the age CLI decrypts; list, validate and run read it', async (ctx) => {
    if (noAge) ctx.skip(noAge);
    project = newProject();
    const identity = join(project.dir, 'id.age-identity');
    expect(spawnSync('age-keygen', ['-o', identity]).status).toBe(0);
    const env = { EXKEYS_AGE_IDENTITY_FILE: identity };
    const set = await exkeys(project, ['set', 'bybit', '--keystore', 'keys.env.age'], {
      input: `${CANARY_BYBIT_KEY}\n${CANARY_BYBIT_SECRET}\n`,
      env,
    });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('to keys.env.age');
    const decrypted = spawnSync('age', ['-d', '-i', identity, join(project.dir, 'keys.env.age')], {
      encoding: 'utf8',
    });
    expect(decrypted.stdout).toContain(`BYBIT_API_SECRET=${CANARY_BYBIT_SECRET}`);
    for (const file of filesUnder(project.dir)) {
      expect(leakedFragments(file.content, CANARY_BYBIT_SECRET), file.path).toEqual([]);
    }
    const list = JSON.parse(
      (await exkeys(project, ['list', '--json', '--keystore', 'keys.env.age'], { env })).stdout,
    );
    expect(list).toMatchObject([{ exchange: 'bybit', keyPreview: 'CANARY…', status: 'ok' }]);
    expect((await exkeys(project, ['validate', '--keystore', 'keys.env.age'], { env })).code).toBe(
      0,
    );
    const run = await exkeys(
      project,
      [
        'run',
        '--no-masking',
        '--keystore',
        'keys.env.age',
        '--',
        process.execPath,
        '-e',
        'console.log(process.env.BYBIT_API_KEY)',
      ],
      { env },
    );
    expect(run.stdout.trim()).toBe(CANARY_BYBIT_KEY);
  });

  it('without any key source and no terminal, fails with what to set', async () => {
    project = newProject();
    writeFileSync(join(project.dir, 'keys.env.age'), 'age-encryption.org/v1\n', { mode: 0o600 });
    const result = await exkeys(project, ['list', '--keystore', 'keys.env.age']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('EXKEYS_PASSPHRASE');
  });

  it('encrypt then decrypt moves the .env into a passphrase keystore and back, losing no line', async () => {
    project = newProject();
    const original = `# my bot\nBYBIT_API_KEY=${CANARY_BYBIT_KEY}\n\n# the secret\nBYBIT_API_SECRET="${CANARY_BYBIT_SECRET}"\nLOG_LEVEL=debug # trailing comment\n`;
    writeFileSync(join(project.dir, '.env'), original, { mode: 0o600 });
    const encrypt = await exkeys(project, ['encrypt'], { env: PASSPHRASE });
    expect(encrypt.code, encrypt.stderr).toBe(0);
    expect(encrypt.stdout).toContain('encrypted .env into .env.age (3 variables)');
    expect(existsSync(join(project.dir, '.env'))).toBe(false);
    expect(readFileSync(join(project.dir, '.env.age'), 'latin1')).toMatch(
      /^age-encryption\.org\/v1\n-> scrypt /,
    );

    const wrong = await exkeys(project, ['list', '--keystore', '.env.age'], {
      env: { EXKEYS_PASSPHRASE: 'wrong passphrase' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout + wrong.stderr).not.toContain(CANARY_BYBIT_KEY);

    const list = JSON.parse(
      (await exkeys(project, ['list', '--json', '--keystore', '.env.age'], { env: PASSPHRASE }))
        .stdout,
    );
    expect(list).toMatchObject([{ exchange: 'bybit', secretSet: true }]);

    const decrypt = await exkeys(project, ['decrypt'], { env: PASSPHRASE });
    expect(decrypt.code, decrypt.stderr).toBe(0);
    expect(readFileSync(join(project.dir, '.env'), 'utf8')).toBe(original);
    expect(existsSync(join(project.dir, '.env.age'))).toBe(false);
    for (const result of [encrypt, decrypt]) {
      expect(leakedFragments(result.stdout + result.stderr, CANARY_BYBIT_SECRET)).toEqual([]);
    }
  });

  it('decrypt of an identity keystore also removes its recipient list', async () => {
    project = newProject();
    const { generateIdentity } = await import('age-encryption');
    const identity = { EXKEYS_AGE_IDENTITY: await generateIdentity() };
    writeFileSync(join(project.dir, '.env'), `BYBIT_API_KEY=${CANARY_BYBIT_KEY}\n`, {
      mode: 0o600,
    });
    const encrypt = await exkeys(project, ['encrypt'], { env: identity });
    expect(encrypt.code, encrypt.stderr).toBe(0);
    expect(existsSync(join(project.dir, '.env.age.recipients'))).toBe(true);
    const decrypt = await exkeys(project, ['decrypt'], { env: identity });
    expect(decrypt.code, decrypt.stderr).toBe(0);
    expect(existsSync(join(project.dir, '.env.age'))).toBe(false);
    expect(existsSync(join(project.dir, '.env.age.recipients'))).toBe(false);
    expect(readFileSync(join(project.dir, '.env'), 'utf8')).toBe(
      `BYBIT_API_KEY=${CANARY_BYBIT_KEY}\n`,
    );
  });

  it('encrypt refuses to overwrite an existing keystore, and --keep keeps the source', async () => {
    project = newProject();
    writeFileSync(join(project.dir, '.env'), `BYBIT_API_KEY=${CANARY_BYBIT_KEY}\n`, {
      mode: 0o600,
    });
    expect((await exkeys(project, ['encrypt', '--keep'], { env: PASSPHRASE })).code).toBe(0);
    expect(existsSync(join(project.dir, '.env'))).toBe(true);
    const before = readFileSync(join(project.dir, '.env.age'));
    const again = await exkeys(project, ['encrypt'], { env: PASSPHRASE });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect(readFileSync(join(project.dir, '.env.age'))).toEqual(before);
    expect(existsSync(join(project.dir, '.env'))).toBe(true);
  });
});
