import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect, promisify } from 'node:util';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { parse as dotenvParse } from 'dotenv';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildForChild, type ChildBuild } from '../../__fixtures__/child-build.js';
import {
  ageCliMissing,
  ageDecryptWithIdentity,
  ageEncryptToRecipients,
  ageInTmux,
  ageKeygen,
  tmuxMissing,
} from '../../__fixtures__/stores/age-cli.js';
import { KeystoreError } from '../../errors.js';
import { recipientsFile } from './age-file.js';
import { ageStore } from './age-store.js';
import { changeKeystorePassphrase, migrateEnvToKeystore, migrateKeystoreToEnv } from './migrate.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('../../__fixtures__/stores/age-child.mjs', import.meta.url));
const CANARY = 'CANARYSECRETage0123456789abcdefghijklmnop';
const PASS = 'test passphrase one';
const NEW_PASS = 'test passphrase two';
const LOW = 10;

interface Key {
  identity: string;
  recipient: string;
}
let alice: Key;
let bob: Key;
let carol: Key;
let dir = '';

async function newKey(): Promise<Key> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([newKey(), newKey(), newKey()]);
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-age-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<KeystoreError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(KeystoreError.isInstance(error), String(error)).toBe(true);
  return error as KeystoreError;
}

function expectNoCanary(text: string | Uint8Array): void {
  const s = typeof text === 'string' ? text : Buffer.from(text).toString('latin1');
  expect(s).not.toContain(CANARY.slice(0, 16));
  expect(s).not.toContain(Buffer.from(CANARY).toString('base64').slice(0, 16));
}

async function decryptWith(file: Uint8Array, identity: string): Promise<string> {
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  return decrypter.decrypt(file, 'text');
}

const ENV_TEXT = [
  '# exchange keys for the bot',
  'export BYBIT_API_KEY=abc123  # trading key',
  '',
  '# exkeys:rotated-at BYBIT_API_SECRET 2024-05-01T10:00:00.000Z',
  `BYBIT_API_SECRET="${CANARY}"`,
  'UNRELATED=keep me',
  "QUOTED='single # not a comment'",
  '# trailing comment',
  '',
].join('\n');

describe('ageStore with a passphrase', () => {
  it('round-trips variables and rotation times, in a 0600 file that age decrypts to a .env', async () => {
    const path = join(dir, '.env.age');
    const store = ageStore({ path, passphrase: PASS, scryptWorkFactor: LOW });
    expect(store).toMatchObject({ kind: 'age', location: path, readOnly: false });
    expect((await store.readAll()).size).toBe(0);
    await store.write(
      { BYBIT_API_KEY: 'key-1', BYBIT_API_SECRET: CANARY },
      { rotatedAt: { BYBIT_API_SECRET: '2025-01-31T12:00:00.000Z' } },
    );
    await store.write({ OKX_API_KEY: 'okx' });
    expect(Object.fromEntries(await store.readAll())).toEqual({
      BYBIT_API_KEY: 'key-1',
      BYBIT_API_SECRET: CANARY,
      OKX_API_KEY: 'okx',
    });
    expect(await store.list()).toEqual([
      { name: 'BYBIT_API_KEY', rotatedAt: null },
      { name: 'BYBIT_API_SECRET', rotatedAt: '2025-01-31T12:00:00.000Z' },
      { name: 'OKX_API_KEY', rotatedAt: null },
    ]);

    const file = await readFile(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(file.toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> scrypt \S{22} 10\n/);
    expectNoCanary(file);
    const reference = new Decrypter();
    reference.addPassphrase(PASS);
    const plaintext = await reference.decrypt(file, 'text');
    expect(plaintext).toContain('# exkeys:rotated-at BYBIT_API_SECRET 2025-01-31T12:00:00.000Z');
    expect(dotenvParse(plaintext)).toEqual({
      BYBIT_API_KEY: 'key-1',
      BYBIT_API_SECRET: CANARY,
      OKX_API_KEY: 'okx',
    });

    await store.delete(['BYBIT_API_KEY']);
    expect([...(await ageStore({ path, passphrase: PASS }).readAll()).keys()]).toEqual([
      'BYBIT_API_SECRET',
      'OKX_API_KEY',
    ]);
    expect(await readdir(dir)).toEqual(['.env.age']);
  });

  it('writes through an own symlink: the link survives and concurrent writers via link and target share one lock', async () => {
    await mkdir(join(dir, 'shared'));
    const real = join(dir, 'shared', 'team.env.age');
    const link = join(dir, '.env.age');
    await symlink('shared/team.env.age', link);
    const viaLink = ageStore({ path: link, passphrase: PASS, scryptWorkFactor: LOW });
    const viaTarget = ageStore({ path: real, passphrase: PASS, scryptWorkFactor: LOW });
    await viaLink.write({ FIRST: '0' });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? viaLink : viaTarget).write({ [`V${i}`]: String(i) }),
      ),
    );
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await lstat(real)).isFile()).toBe(true);
    expect([...(await viaTarget.readAll()).keys()].sort()).toEqual(
      ['FIRST', 'V0', 'V1', 'V2', 'V3', 'V4', 'V5'].sort(),
    );
    // No lock or temp file is left next to the link or the target.
    expect(await readdir(dir)).toEqual(['.env.age', 'shared']);
    expect(await readdir(join(dir, 'shared'))).toEqual(['team.env.age']);
  });

  it('uses age’s default work factor 18 unless told otherwise', async () => {
    const path = join(dir, 'slow.age');
    await ageStore({ path, passphrase: PASS }).write({ A: '1' });
    expect((await readFile(path)).toString('latin1')).toMatch(
      /^age-encryption\.org\/v1\n-> scrypt \S{22} 18\n/,
    );
  });

  it('takes the passphrase from EXKEYS_PASSPHRASE for unattended use', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, env: { EXKEYS_PASSPHRASE: PASS }, scryptWorkFactor: LOW }).write({
      A: CANARY,
    });
    expect((await ageStore({ path, passphrase: PASS }).readAll()).get('A')).toBe(CANARY);
  });

  it('reads EXKEYS_PASSPHRASE_FILE (a mounted secret), refusing one readable by others', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, passphrase: PASS, scryptWorkFactor: LOW }).write({ A: CANARY });
    const file = join(dir, 'exkeys_passphrase');
    await writeFile(file, `${PASS}\n`, { mode: 0o400 });
    const env = { EXKEYS_PASSPHRASE_FILE: file };
    expect((await ageStore({ path, env }).readAll()).get('A')).toBe(CANARY);
    await chmod(file, 0o444);
    const error = await failure(ageStore({ path, env }).readAll());
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('defaultMode: 0400');
    expect(error.message).not.toContain(PASS);
  });

  it('rejects a wrong passphrase with `wrong-key` saying so, and leaves the file unchanged', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, passphrase: PASS, scryptWorkFactor: LOW }).write({ A: CANARY });
    const before = await readFile(path);
    const wrong = ageStore({ path, env: { EXKEYS_PASSPHRASE: 'not it' }, scryptWorkFactor: LOW });
    const error = await failure(wrong.readAll());
    expect(error.code).toBe('wrong-key');
    expect(error.message).toContain('passphrase from EXKEYS_PASSPHRASE is wrong');
    expect((await failure(wrong.write({ B: '2' }))).code).toBe('wrong-key');
    expect(await readFile(path)).toEqual(before);
    expectNoCanary(error.message + String(error.stack));
  });

  it('fails with `no-key` naming every source when there is no key at all', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, passphrase: PASS, scryptWorkFactor: LOW }).write({ A: '1' });
    const error = await failure(ageStore({ path, env: { HOME: dir } }).readAll());
    expect(error.code).toBe('no-key');
    expect(error.message).toMatch(/EXKEYS_PASSPHRASE.*EXKEYS_AGE_IDENTITY/);
  });

  it('reads a missing keystore as empty without needing a key', async () => {
    const store = ageStore({ path: join(dir, 'none.age'), env: { HOME: dir } });
    expect((await store.readAll()).size).toBe(0);
    expect(await store.list()).toEqual([]);
  });
});

describe('ageStore with X25519 identities', () => {
  it('opens with the identity option, EXKEYS_AGE_IDENTITY, an identity file or the default file', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, identity: alice.identity }).write({ A: CANARY });
    const file = join(dir, 'id.txt');
    await writeFile(file, `# created: now\n# public key: ${alice.recipient}\n${alice.identity}\n`, {
      mode: 0o600,
    });
    const config = join(dir, 'config');
    await mkdir(join(config, 'exkeys'), { recursive: true });
    await writeFile(join(config, 'exkeys', 'age-identity.txt'), `${alice.identity}\n`, {
      mode: 0o600,
    });
    for (const options of [
      { identity: alice.identity },
      { env: { EXKEYS_AGE_IDENTITY: alice.identity } },
      { identityFile: file },
      { env: { EXKEYS_AGE_IDENTITY_FILE: file } },
      { env: { XDG_CONFIG_HOME: config } },
    ]) {
      expect((await ageStore({ path, ...options }).readAll()).get('A')).toBe(CANARY);
    }
  });

  it('follows the documented order: explicit options before the environment', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, identity: alice.identity }).write({ A: '1' });
    const env = { EXKEYS_AGE_IDENTITY: bob.identity, EXKEYS_PASSPHRASE: 'nope' };
    expect((await ageStore({ path, identity: alice.identity, env }).readAll()).get('A')).toBe('1');
    // EXKEYS_PASSPHRASE comes before EXKEYS_AGE_IDENTITY.
    const error = await failure(
      ageStore({ path, env: { ...env, EXKEYS_AGE_IDENTITY: alice.identity } }).readAll(),
    );
    expect(error.message).toContain('encrypted to age recipients, not a passphrase');
  });

  it('refuses an identity file readable by others, saying how to fix it', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, identity: alice.identity }).write({ A: '1' });
    const file = join(dir, 'id.txt');
    await writeFile(file, `${alice.identity}\n`);
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      await chmod(file, mode);
      const error = await failure(ageStore({ path, identityFile: file }).readAll());
      expect(error.code).toBe('unavailable');
      expect(error.message).toContain(`chmod 600 ${file}`);
      expect(error.message).not.toContain(alice.identity.slice(0, 20));
    }
    await chmod(file, 0o400);
    expect((await ageStore({ path, identityFile: file }).readAll()).get('A')).toBe('1');
  });

  it('rejects something that is not an identity without echoing it', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, identity: alice.identity }).write({ A: '1' });
    const error = await failure(ageStore({ path, identity: CANARY }).readAll());
    expect(error.code).toBe('no-key');
    expectNoCanary(error.message);
  });

  it('rejects a foreign identity and a passphrase on a recipient keystore with `wrong-key`', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, identity: alice.identity }).write({ A: CANARY });
    const foreign = await failure(ageStore({ path, identity: bob.identity }).readAll());
    expect(foreign.code).toBe('wrong-key');
    expect(foreign.message).toContain('is not one of its 1 recipient(s)');
    const pass = await failure(ageStore({ path, passphrase: PASS }).readAll());
    expect(pass.code).toBe('wrong-key');
    expect(pass.message).toContain('not a passphrase');
    const onPassphraseFile = join(dir, 'p.age');
    await ageStore({ path: onPassphraseFile, passphrase: PASS, scryptWorkFactor: LOW }).write({
      A: '1',
    });
    const id = await failure(
      ageStore({ path: onPassphraseFile, identity: alice.identity }).readAll(),
    );
    expect(id.code).toBe('wrong-key');
    expect(id.message).toContain('encrypted with a passphrase');
  });

  it('shows neither passphrase nor identity when the store is printed', async () => {
    const path = join(dir, '.env.age');
    for (const store of [
      ageStore({ path, identity: alice.identity }),
      ageStore({ path, passphrase: CANARY }),
    ]) {
      await store.readAll();
      const printed = `${inspect(store, { depth: 10, showHidden: true })} ${JSON.stringify(store)} ${String(store)}`;
      expect(printed).not.toContain(alice.identity.slice(0, 20));
      expectNoCanary(printed);
    }
  });

  it('never writes a canary into the keystore file', async () => {
    const path = join(dir, '.env.age');
    const store = ageStore({ path, identity: alice.identity });
    await store.write({ BYBIT_API_SECRET: CANARY, OTHER: `${CANARY}\nsecond line` });
    expectNoCanary(await readFile(path));
    expectNoCanary(await readFile(recipientsFile(path)));
    expect((await store.readAll()).get('OTHER')).toBe(`${CANARY}\nsecond line`);
  });
});

describe('ageStore damage detection', () => {
  async function everyDamage(path: string, open: () => Promise<unknown>): Promise<Set<string>> {
    const original = await readFile(path);
    const codes = new Set<string>();
    const variants: Buffer[] = [];
    for (let i = 0; i < original.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const flipped = Buffer.from(original);
        flipped[i]! ^= mask;
        variants.push(flipped);
      }
      variants.push(original.subarray(0, i));
    }
    variants.push(Buffer.concat([original, Buffer.from('x')]));
    for (const variant of variants) {
      await writeFile(path, variant);
      const error = await failure(open());
      expect(['corrupted', 'wrong-key']).toContain(error.code);
      expectNoCanary(error.message);
      codes.add(error.code);
    }
    await writeFile(path, original);
    await open();
    return codes;
  }

  it('turns every single flipped bit pattern, truncation and extension into a KeystoreError (identity)', async () => {
    const path = join(dir, '.env.age');
    const store = ageStore({
      path,
      identity: alice.identity,
      recipients: [alice.recipient, bob.recipient],
    });
    await store.write({ S: CANARY });
    const codes = await everyDamage(path, () => store.readAll());
    expect(codes).toEqual(new Set(['corrupted', 'wrong-key']));
  });

  it('turns every flipped byte, truncation and extension into a KeystoreError (passphrase)', async () => {
    const path = join(dir, '.env.age');
    const store = ageStore({ path, passphrase: PASS, scryptWorkFactor: 4 });
    await store.write({ S: CANARY });
    const codes = await everyDamage(path, () => ageStore({ path, passphrase: PASS }).readAll());
    expect(codes.has('corrupted')).toBe(true);
  });

  it('says `corrupted` for an empty file, a plaintext .env and garbage after the header', async () => {
    const path = join(dir, '.env.age');
    const store = ageStore({ path, identity: alice.identity });
    for (const content of ['', ENV_TEXT, 'age-encryption.org/v1\n-> X25519 abc\n--- xyz\n']) {
      await writeFile(path, content);
      const error = await failure(store.readAll());
      expect(error.code).toBe('corrupted');
      expectNoCanary(error.message);
    }
    await writeFile(path, ENV_TEXT);
    expect((await failure(store.readAll())).message).toContain('migrateEnvToKeystore');
  });

  it('never replaces a damaged keystore on write', async () => {
    const path = join(dir, '.env.age');
    const store = ageStore({ path, identity: alice.identity });
    await store.write({ S: CANARY });
    const damaged = await readFile(path);
    damaged[damaged.length - 5]! ^= 1;
    await writeFile(path, damaged);
    expect((await failure(store.write({ T: '1' }))).code).toBe('corrupted');
    expect(await readFile(path)).toEqual(damaged);
  });
});

describe('ageStore for teams', () => {
  it('encrypts to every recipient, keeps the list in <path>.recipients and manages it', async () => {
    const path = join(dir, '.env.age');
    const store = ageStore({
      path,
      identity: alice.identity,
      recipients: [alice.recipient, bob.recipient],
    });
    await store.write({ S: CANARY });
    expect(await decryptWith(await readFile(path), bob.identity)).toContain('S=');
    expect(await store.recipients()).toEqual([alice.recipient, bob.recipient]);
    const sidecar = await readFile(recipientsFile(path), 'utf8');
    expect(sidecar.split('\n').filter((l) => l.startsWith('age1'))).toEqual([
      alice.recipient,
      bob.recipient,
    ]);

    // Bob writes with his own identity and no options: the shared list is kept.
    await ageStore({ path, identity: bob.identity }).write({ BOB: '1' });
    expect((await ageStore({ path, identity: alice.identity }).readAll()).get('BOB')).toBe('1');

    await store.addRecipient(carol.recipient);
    expect((await ageStore({ path, identity: carol.identity }).readAll()).get('S')).toBe(CANARY);
    await store.removeRecipient(bob.recipient);
    expect((await failure(ageStore({ path, identity: bob.identity }).readAll())).code).toBe(
      'wrong-key',
    );
    expect(await store.recipients()).toEqual([alice.recipient, carol.recipient]);
    expect((await ageStore({ path, identity: carol.identity }).readAll()).get('BOB')).toBe('1');

    await store.setRecipients([alice.recipient]);
    expect((await failure(ageStore({ path, identity: carol.identity }).readAll())).code).toBe(
      'wrong-key',
    );
    expect(await store.recipients()).toEqual([alice.recipient]);
  });

  it('refuses changes that would lock the writer or everybody out', async () => {
    const path = join(dir, '.env.age');
    const store = ageStore({
      path,
      identity: alice.identity,
      recipients: [alice.recipient, bob.recipient],
    });
    await store.write({ S: '1' });
    const before = await readFile(path);
    expect((await failure(store.removeRecipient(alice.recipient))).message).toMatch(
      /lock yourself out/,
    );
    expect((await failure(store.setRecipients([bob.recipient]))).message).toMatch(
      /lock yourself out/,
    );
    expect((await failure(store.setRecipients([]))).code).toBe('no-key');
    await expect(store.addRecipient('age1notvalid')).rejects.toThrow(TypeError);
    expect(await readFile(path)).toEqual(before);
    const outsider = ageStore({
      path: join(dir, 'new.age'),
      identity: alice.identity,
      recipients: [bob.recipient],
    });
    expect((await failure(outsider.write({ S: '1' }))).message).toMatch(/lock yourself out/);
  });

  it('refuses to drop unknown recipients of a file it did not create', async () => {
    const path = join(dir, '.env.age');
    const encrypter = new Encrypter();
    encrypter.addRecipient(alice.recipient);
    encrypter.addRecipient(bob.recipient);
    await writeFile(path, await encrypter.encrypt('A=1\n'));
    const store = ageStore({ path, identity: alice.identity });
    expect((await store.readAll()).get('A')).toBe('1');
    const error = await failure(store.write({ B: '2' }));
    expect(error.code).toBe('no-key');
    expect(error.message).toContain(recipientsFile(path));
    await writeFile(recipientsFile(path), `${alice.recipient}\n${bob.recipient}\n`);
    await store.write({ B: '2' });
    expect((await ageStore({ path, identity: bob.identity }).readAll()).get('B')).toBe('2');
  });

  it('switches a passphrase keystore to recipients only through setRecipients', async () => {
    const path = join(dir, '.env.age');
    const store = ageStore({ path, passphrase: PASS, scryptWorkFactor: LOW });
    await store.write({ S: CANARY });
    expect(await store.recipients()).toEqual([]);
    expect((await failure(store.addRecipient(alice.recipient))).code).toBe('no-key');
    await store.setRecipients([alice.recipient, bob.recipient]);
    expect((await ageStore({ path, identity: bob.identity }).readAll()).get('S')).toBe(CANARY);
    expect((await failure(store.readAll())).code).toBe('wrong-key');
  });
});

describe('interop with the age CLI', () => {
  it('a keystore written by exkeys decrypts with `age -d -i` for each of two recipients', async (ctx) => {
    if (ageCliMissing) {
      console.warn(`skipped: ${ageCliMissing}`);
      ctx.skip();
    }
    const [a, b] = await Promise.all([ageKeygen(), ageKeygen()]);
    const [fileA, fileB] = [join(dir, 'a.txt'), join(dir, 'b.txt')];
    await writeFile(fileA, a.file, { mode: 0o600 });
    await writeFile(fileB, b.file, { mode: 0o600 });
    const path = join(dir, '.env.age');
    const store = ageStore({ path, identityFile: fileA, recipients: [a.recipient, b.recipient] });
    await store.write(
      { BYBIT_API_SECRET: CANARY },
      { rotatedAt: { BYBIT_API_SECRET: '2025-02-01T00:00:00.000Z' } },
    );
    for (const identityFile of [fileA, fileB]) {
      const plaintext = await ageDecryptWithIdentity(path, identityFile);
      expect(dotenvParse(plaintext)).toEqual({ BYBIT_API_SECRET: CANARY });
      expect(plaintext).toContain('# exkeys:rotated-at BYBIT_API_SECRET 2025-02-01T00:00:00.000Z');
    }
  });

  it('loads files encrypted by `age -r`, `age -a -r` and `age -R <path>.recipients`', async (ctx) => {
    if (ageCliMissing) {
      console.warn(`skipped: ${ageCliMissing}`);
      ctx.skip();
    }
    const input = join(dir, 'plain.env');
    await writeFile(input, ENV_TEXT);
    const path = join(dir, '.env.age');
    await ageEncryptToRecipients(input, path, [alice.recipient, bob.recipient]);
    for (const who of [alice, bob]) {
      const all = await ageStore({ path, identity: who.identity }).readAll();
      expect(Object.fromEntries(all)).toEqual(dotenvParse(ENV_TEXT));
    }
    await rm(path);
    await run('age', ['-a', '-r', alice.recipient, '-o', path, input]);
    expect(
      (await ageStore({ path, identity: alice.identity }).readAll()).get('BYBIT_API_SECRET'),
    ).toBe(CANARY);
    await rm(path);
    const seeded = ageStore({
      path: join(dir, 'team.age'),
      identity: alice.identity,
      recipients: [alice.recipient, carol.recipient],
    });
    await seeded.write({ X: '1' });
    await run('age', ['-R', recipientsFile(join(dir, 'team.age')), '-o', path, input]);
    expect((await ageStore({ path, identity: carol.identity }).readAll()).get('UNRELATED')).toBe(
      'keep me',
    );
  });

  it('passphrase keystores interoperate with `age -p` / `age -d` (through tmux)', async (ctx) => {
    if (tmuxMissing) {
      console.warn(`skipped: ${tmuxMissing}`);
      ctx.skip();
    }
    const path = join(dir, '.env.age');
    await ageStore({ path, passphrase: PASS, scryptWorkFactor: 12 }).write({
      BYBIT_API_SECRET: CANARY,
    });
    const out = join(dir, 'out.env');
    await ageInTmux(
      `exkeys-age-${process.pid}-d`,
      `age -d -o ${out} ${path}`,
      [PASS],
      join(dir, 'd.done'),
    );
    expect(dotenvParse(await readFile(out, 'utf8'))).toEqual({ BYBIT_API_SECRET: CANARY });

    const input = join(dir, 'plain.env');
    await writeFile(input, ENV_TEXT);
    const fromCli = join(dir, 'cli.age');
    await ageInTmux(
      `exkeys-age-${process.pid}-p`,
      `age -p -o ${fromCli} ${input}`,
      [PASS, PASS],
      join(dir, 'p.done'),
    );
    expect(
      Object.fromEntries(await ageStore({ path: fromCli, passphrase: PASS }).readAll()),
    ).toEqual(dotenvParse(ENV_TEXT));
  });
});

describe('migration between .env and keystore', () => {
  it('moves every line both ways, byte for byte, and never leaves plaintext behind uninvited', async () => {
    const envPath = join(dir, '.env');
    await writeFile(envPath, ENV_TEXT);
    const path = join(dir, '.env.age');
    const options = { path, passphrase: PASS, scryptWorkFactor: LOW };
    const result = await migrateEnvToKeystore(envPath, options);
    expect(result).toEqual({
      path,
      names: ['BYBIT_API_KEY', 'BYBIT_API_SECRET', 'UNRELATED', 'QUOTED'],
      deleted: [],
      otherHardLinks: 0,
    });
    expectNoCanary(await readFile(path));
    expect(await ageStore(options).list()).toContainEqual({
      name: 'BYBIT_API_SECRET',
      rotatedAt: '2024-05-01T10:00:00.000Z',
    });
    await ageStore(options).write({ NEW_VAR: 'x' });

    const back = join(dir, 'back.env');
    await migrateKeystoreToEnv(options, back);
    expect(await readFile(back, 'utf8')).toBe(`${ENV_TEXT}NEW_VAR=x\n`);
    expect((await stat(back)).mode & 0o777).toBe(0o600);
    expect(await readFile(envPath, 'utf8')).toBe(ENV_TEXT);
  });

  it('keeps CRLF files and files without a final newline intact', async () => {
    const envPath = join(dir, '.env');
    const text = '# windows\r\nA=1\r\nB="two"';
    await writeFile(envPath, text);
    const options = { path: join(dir, '.env.age'), identity: alice.identity };
    await migrateEnvToKeystore(envPath, options);
    await migrateKeystoreToEnv(options, join(dir, 'out.env'));
    expect(await readFile(join(dir, 'out.env'), 'utf8')).toBe(text);
  });

  it('refuses to overwrite either side, and deletes the .env only when asked', async () => {
    const envPath = join(dir, '.env');
    await writeFile(envPath, ENV_TEXT);
    const options = { path: join(dir, '.env.age'), identity: alice.identity };
    await migrateEnvToKeystore(envPath, options);
    const again = await failure(migrateEnvToKeystore(envPath, options));
    expect(again.message).toContain('already exists');
    const overwrite = await failure(migrateKeystoreToEnv(options, envPath));
    expect(overwrite.message).toContain('overwrite');
    await migrateKeystoreToEnv(options, envPath, { overwrite: true });
    const second = { path: join(dir, 'second.age'), identity: alice.identity };
    await migrateEnvToKeystore(envPath, second, { deleteEnvFile: true });
    await expect(stat(envPath)).rejects.toThrow(/ENOENT/);
    expect(
      (await failure(migrateEnvToKeystore(envPath, { ...second, path: join(dir, 'x.age') }))).code,
    ).toBe('io');
  });
});

describe('changeKeystorePassphrase', () => {
  it('re-encrypts with the new passphrase only', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, passphrase: PASS, scryptWorkFactor: LOW }).write({ S: CANARY });
    await changeKeystorePassphrase({ path, passphrase: PASS, scryptWorkFactor: LOW }, NEW_PASS);
    expect((await ageStore({ path, passphrase: NEW_PASS }).readAll()).get('S')).toBe(CANARY);
    expect((await failure(ageStore({ path, passphrase: PASS }).readAll())).code).toBe('wrong-key');
    expect((await failure(changeKeystorePassphrase({ path, passphrase: PASS }, 'x'))).code).toBe(
      'wrong-key',
    );
    expect((await failure(changeKeystorePassphrase({ path, passphrase: NEW_PASS }, ''))).code).toBe(
      'no-key',
    );
  });

  it('converts an identity keystore to a passphrase and drops its recipient list', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, identity: alice.identity }).write({ S: '1' });
    await changeKeystorePassphrase(
      { path, identity: alice.identity, scryptWorkFactor: LOW },
      NEW_PASS,
    );
    expect((await ageStore({ path, passphrase: NEW_PASS }).readAll()).get('S')).toBe('1');
    await expect(stat(recipientsFile(path))).rejects.toThrow(/ENOENT/);
  });
});

describe('in other processes', () => {
  let build: ChildBuild;
  beforeAll(async () => {
    build = await buildForChild(['index.ts']);
  });
  afterAll(async () => {
    await build?.dispose();
  });

  function child(scenario: string, path: string, env: Record<string, string>): ChildProcess {
    return spawn(process.execPath, [CHILD, build.module('index.ts'), scenario, path], {
      env: { PATH: process.env.PATH, HOME: dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  async function finished(
    proc: ChildProcess,
  ): Promise<{ code: number | null; signal: string | null; out: string }> {
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    proc.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    return new Promise((resolve) =>
      proc.on('close', (code, signal) => resolve({ code, signal, out })),
    );
  }

  it('concurrent writers of distinct variables lose no update (identity)', async () => {
    const path = join(dir, '.env.age');
    await ageStore({ path, identity: alice.identity }).write({ SEED: '1' });
    const writers = ['W0', 'W1', 'W2', 'W3'].map((prefix) =>
      finished(
        child('write-many', path, {
          EXKEYS_AGE_IDENTITY: alice.identity,
          EXKEYS_TEST_PREFIX: prefix,
          EXKEYS_TEST_COUNT: '6',
        }),
      ),
    );
    const results = await Promise.all(writers);
    for (const result of results) expect(result.out.trim()).toBe('{"ok":true}');
    const all = await ageStore({ path, identity: alice.identity }).readAll();
    expect(all.size).toBe(1 + 4 * 6);
    for (const prefix of ['W0', 'W1', 'W2', 'W3']) {
      for (let i = 0; i < 6; i++) expect(all.get(`${prefix}_${i}`)).toBe(`value-${prefix}-${i}`);
    }
  });

  it('concurrent writers of distinct variables lose no update (passphrase)', async () => {
    const path = join(dir, '.env.age');
    const results = await Promise.all(
      ['P0', 'P1', 'P2'].map((prefix) =>
        finished(
          child('write-many', path, {
            EXKEYS_PASSPHRASE: PASS,
            EXKEYS_TEST_LOGN: '12',
            EXKEYS_TEST_PREFIX: prefix,
            EXKEYS_TEST_COUNT: '3',
          }),
        ),
      ),
    );
    for (const result of results) expect(result.out.trim()).toBe('{"ok":true}');
    expect((await ageStore({ path, passphrase: PASS }).readAll()).size).toBe(9);
  });

  it('a passphrase change killed with SIGKILL at any moment leaves a keystore that opens', async () => {
    const path = join(dir, '.env.age');
    const logN = '15';
    await ageStore({ path, passphrase: PASS, scryptWorkFactor: Number(logN) }).write({
      S: CANARY,
      T: 'two',
    });
    const original = Object.fromEntries(await ageStore({ path, passphrase: PASS }).readAll());
    const env = { EXKEYS_TEST_OLD: PASS, EXKEYS_TEST_NEW: NEW_PASS, EXKEYS_TEST_LOGN: logN };

    // Time one full run (in a copy) to spread the kills over it.
    const copy = join(dir, 'copy.age');
    await writeFile(copy, await readFile(path));
    const started = performance.now();
    expect((await finished(child('change-passphrase', copy, env))).out).toContain('"ok":true');
    const duration = performance.now() - started;

    const outcomes = new Set<string>();
    const trials = 14;
    for (let i = 0; i < trials; i++) {
      let current = PASS;
      const proc = child('change-passphrase', path, env);
      const done = finished(proc);
      await new Promise((resolve) => setTimeout(resolve, (duration * 1.2 * i) / (trials - 1)));
      // The last trial runs to completion, so both outcomes are seen even on a loaded machine.
      if (i < trials - 1) proc.kill('SIGKILL');
      await done;
      const opened: string[] = [];
      for (const passphrase of [PASS, NEW_PASS]) {
        const result = await ageStore({ path, passphrase })
          .readAll()
          .then((all) => Object.fromEntries(all))
          .catch((error: unknown) => {
            expect(
              KeystoreError.isInstance(error) && error.code === 'wrong-key',
              String(error),
            ).toBe(true);
            return null;
          });
        if (result !== null) {
          expect(result).toEqual(original);
          opened.push(passphrase);
          current = passphrase;
        }
      }
      expect(opened).toHaveLength(1);
      outcomes.add(current === PASS ? 'old' : 'new');
      if (current === NEW_PASS) {
        // Back to the old passphrase for the next trial.
        await changeKeystorePassphrase(
          { path, passphrase: NEW_PASS, scryptWorkFactor: Number(logN) },
          PASS,
        );
      }
    }
    expect(outcomes).toEqual(new Set(['old', 'new']));
    // A killed writer's lock and temporary files do not block the next writer.
    await ageStore({ path, passphrase: PASS, scryptWorkFactor: Number(logN) }).write({
      AFTER: '1',
    });
    expect((await ageStore({ path, passphrase: PASS }).readAll()).get('AFTER')).toBe('1');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
