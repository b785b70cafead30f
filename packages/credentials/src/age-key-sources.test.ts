import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGE_KEY_SOURCES, AGE_KEY_VARIABLES } from './age-key-sources.js';
import { resolveAgeKey } from './stores/age/age-identity.js';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the age key sources description', () => {
  it('names every variable, in the order resolveAgeKey tries them', () => {
    const positions = Object.values(AGE_KEY_VARIABLES).map((name) => AGE_KEY_SOURCES.indexOf(name));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('describes variables resolveAgeKey really reads (and a control it ignores)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'exkeys-age-sources-'));
    const base = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') };
    const passphraseFile = join(dir, 'passphrase');
    writeFileSync(passphraseFile, 'CANARY passphrase from a file\n', { mode: 0o600 });
    const passphrase = await resolveAgeKey({
      env: { ...base, [AGE_KEY_VARIABLES.passphrase]: 'CANARY passphrase 1' },
    });
    expect(passphrase).not.toBeNull();
    const fromFile = await resolveAgeKey({
      env: { ...base, [AGE_KEY_VARIABLES.passphraseFile]: passphraseFile },
    });
    expect(fromFile).not.toBeNull();
    expect(await resolveAgeKey({ env: { ...base, EXKEYS_UNRELATED: 'x' } })).toBeNull();
  });
});
