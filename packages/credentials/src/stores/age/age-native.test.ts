import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForChild, type ChildBuild } from '../../__fixtures__/child-build.js';
import { ageCliMissing, ageEncryptToRecipients } from '../../__fixtures__/stores/age-cli.js';
import {
  AgeFormatError,
  decryptNative,
  NativeX25519Identity,
  NoIdentityMatchedError,
} from './age-native.js';
import { NativeScryptIdentity } from './age-scrypt.js';
import { ageStore } from './age-store.js';

const CANARY = 'CANARYSECRETnative0123456789abcdef';

async function encryptTo(recipients: readonly string[], plaintext: Uint8Array | string) {
  const encrypter = new Encrypter();
  for (const recipient of recipients) encrypter.addRecipient(recipient);
  return encrypter.encrypt(plaintext);
}

function mixedCase(identity: string): string {
  const at = [...identity].findIndex((c, i) => i > 16 && /[A-Z]/.test(c));
  return `${identity.slice(0, at)}${identity[at]!.toLowerCase()}${identity.slice(at + 1)}`;
}

function native(identity: string): NativeX25519Identity {
  const parsed = NativeX25519Identity.parse(identity);
  if (parsed === null) throw new Error('test identity did not parse');
  return parsed;
}

describe('NativeX25519Identity', () => {
  it('derives the same recipient as age-encryption', async () => {
    for (let i = 0; i < 20; i++) {
      const identity = await generateIdentity();
      expect(native(identity).recipient).toBe(await identityToRecipient(identity));
    }
  });

  it('refuses what is not an X25519 identity: bad checksum, wrong prefix, mixed case, wrong length', async () => {
    const identity = await generateIdentity();
    const last = identity.at(-1) === 'Q' ? 'P' : 'Q';
    for (const bad of [
      `${identity.slice(0, -1)}${last}`,
      identity.replace('AGE-SECRET-KEY-1', 'AGE-SECRET-KEX-1'),
      mixedCase(identity),
      identity.slice(0, -8),
      '',
    ]) {
      expect(NativeX25519Identity.parse(bad)).toBeNull();
    }
    expect(NativeX25519Identity.parse(identity)).not.toBeNull();
  });
});

describe('decryptNative', () => {
  it('decrypts what age-encryption writes, to one or several recipients, at every chunk boundary', async () => {
    const mine = await generateIdentity();
    const other = await generateIdentity();
    const recipients = [await identityToRecipient(other), await identityToRecipient(mine)];
    for (const size of [0, 1, 100, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 3 * 64 * 1024 + 7]) {
      const plaintext = randomBytes(size);
      const file = await encryptTo(recipients, plaintext);
      expect(Buffer.from(await decryptNative(file, [native(mine)])).equals(plaintext)).toBe(true);
    }
  });

  it('decrypts passphrase files with the native scrypt identity', async () => {
    const encrypter = new Encrypter();
    encrypter.setPassphrase('native passphrase');
    encrypter.setScryptWorkFactor(10);
    const file = await encrypter.encrypt(`A=${CANARY}\n`);
    const text = Buffer.from(
      await decryptNative(file, [new NativeScryptIdentity('native passphrase')]),
    ).toString();
    expect(text).toBe(`A=${CANARY}\n`);
    await expect(
      decryptNative(file, [new NativeScryptIdentity('wrong passphrase')]),
    ).rejects.toBeInstanceOf(NoIdentityMatchedError);
  });

  it('tells a wrong identity apart from a damaged file', async () => {
    const mine = await generateIdentity();
    const file = await encryptTo([await identityToRecipient(mine)], 'A=1\n');
    await expect(decryptNative(file, [native(await generateIdentity())])).rejects.toBeInstanceOf(
      NoIdentityMatchedError,
    );
    const damaged = Uint8Array.from(file);
    damaged[damaged.length - 1]! ^= 1;
    await expect(decryptNative(damaged, [native(mine)])).rejects.toBeInstanceOf(AgeFormatError);
  });

  it('refuses every flipped byte, truncation and extension, and agrees with age-encryption on each', async () => {
    const mine = await generateIdentity();
    const file = await encryptTo([await identityToRecipient(mine)], `A=${CANARY}\n`);
    const variants: Uint8Array[] = [
      file.subarray(0, file.length - 1),
      Buffer.concat([file, Buffer.from([0])]),
    ];
    for (let i = 0; i < file.length; i++) {
      const flipped = Uint8Array.from(file);
      flipped[i]! ^= 0x01 << (i % 8);
      variants.push(flipped);
    }
    const decrypter = new Decrypter();
    decrypter.addIdentity(mine);
    let refused = 0;
    for (const variant of variants) {
      const theirs = await decrypter.decrypt(variant).then(
        () => 'ok',
        () => 'refused',
      );
      const ours = await decryptNative(variant, [native(mine)]).then(
        () => 'ok',
        (error: unknown) => {
          expect(error).toSatisfy(
            (e) => e instanceof AgeFormatError || e instanceof NoIdentityMatchedError,
          );
          expect(String((error as Error).message)).not.toContain(CANARY);
          return 'refused';
        },
      );
      expect(ours).toBe('refused');
      expect(theirs).toBe(ours);
      refused++;
    }
    expect(refused).toBe(file.length + 2);
    // Control: the untouched file opens.
    expect(Buffer.from(await decryptNative(file, [native(mine)])).toString()).toBe(`A=${CANARY}\n`);
  });

  it('decrypts what the age CLI writes', async (ctx) => {
    const missing = ageCliMissing;
    if (missing) {
      console.warn(`skipped: ${missing}`);
      ctx.skip();
    }
    const dir = await mkdtemp(join(tmpdir(), 'exkeys-native-'));
    try {
      const mine = await generateIdentity();
      const plain = join(dir, 'plain.env');
      await writeFile(plain, `A=${CANARY}\n`);
      const out = join(dir, 'file.age');
      await ageEncryptToRecipients(plain, out, [await identityToRecipient(mine)]);
      const text = Buffer.from(await decryptNative(await readFile(out), [native(mine)])).toString();
      expect(text).toBe(`A=${CANARY}\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('loading keys from a keystore', () => {
  let dir: string;
  let build: ChildBuild;
  const identityPromise = generateIdentity();
  const PROBE = `
const [modulePath, path, identity, passphrase, scenario] = process.argv.slice(1);
const { ageStore } = await import(modulePath);
const store = ageStore(identity ? { path, identity } : { path, passphrase });
try {
  if (scenario === 'write') await store.write({ B: '2' });
  const names = [...(await store.readAll()).keys()];
  process.stdout.write(JSON.stringify({ ok: true, names }));
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, message: String(error.message), cause: String(error.cause?.message) }));
}
`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exkeys-native-load-'));
    const identity = await identityPromise;
    await ageStore({ path: join(dir, 'id.env.age'), identity }).write({ A: CANARY });
    await ageStore({
      path: join(dir, 'pass.env.age'),
      passphrase: 'native load',
      scryptWorkFactor: 10,
    }).write({ A: CANARY });
    // age-encryption is installed, but importing it throws: whatever works here never imports it.
    build = await buildForChild(['index.ts'], {
      replace: { 'age-encryption': "throw new Error('age-encryption was imported');\n" },
    });
  });

  afterAll(async () => {
    await build?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function probe(file: string, identity: string, scenario = 'read') {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        PROBE,
        build.module('index.ts'),
        join(dir, file),
        identity,
        'native load',
        scenario,
      ],
      { env: { PATH: process.env.PATH, HOME: dir } },
    );
    return JSON.parse(stdout) as {
      ok: boolean;
      names?: string[];
      message?: string;
      cause?: string;
    };
  }

  it('does not import age-encryption, with an identity or a passphrase', async () => {
    expect(await probe('id.env.age', await identityPromise)).toEqual({ ok: true, names: ['A'] });
    expect(await probe('pass.env.age', '')).toEqual({ ok: true, names: ['A'] });
  });

  it('control: writing does import it, so the stub is what the child would load', async () => {
    expect(await probe('id.env.age', await identityPromise, 'write')).toMatchObject({
      ok: false,
      cause: 'age-encryption was imported',
    });
  });
});
