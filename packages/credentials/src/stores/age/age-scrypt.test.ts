import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Decrypter,
  Encrypter,
  generateIdentity,
  identityToRecipient,
  Stanza,
} from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageInTmux, tmuxMissing } from '../../__fixtures__/stores/age-cli.js';
import { NativeScryptIdentity, NativeScryptRecipient } from './age-scrypt.js';

const PASS = 'correct horse battery staple';

async function encryptNative(text: string, logN = 10, passphrase = PASS): Promise<Uint8Array> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(new NativeScryptRecipient(passphrase, logN));
  return encrypter.encrypt(text);
}

describe('NativeScryptRecipient / NativeScryptIdentity', () => {
  it('writes a standard scrypt stanza that the reference implementation decrypts', async () => {
    const file = await encryptNative('A=1\n', 11);
    const header = Buffer.from(file).toString('latin1').split('\n');
    expect(header[0]).toBe('age-encryption.org/v1');
    expect(header[1]).toMatch(/^-> scrypt [A-Za-z0-9+/]{22} 11$/);

    const reference = new Decrypter();
    reference.addPassphrase(PASS);
    expect(await reference.decrypt(file, 'text')).toBe('A=1\n');
  });

  it('decrypts what the reference implementation encrypts', async () => {
    const reference = new Encrypter();
    reference.setScryptWorkFactor(10);
    reference.setPassphrase(PASS);
    const file = await reference.encrypt('B=2\n');
    const decrypter = new Decrypter();
    decrypter.addIdentity(new NativeScryptIdentity(PASS));
    expect(await decrypter.decrypt(file, 'text')).toBe('B=2\n');
  });

  it('returns null for a wrong passphrase so the decrypter reports no match', async () => {
    const file = await encryptNative('C=3\n');
    const identity = new NativeScryptIdentity('wrong');
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    await expect(decrypter.decrypt(file)).rejects.toThrow(/no identity matched/);
  });

  it('ignores non-scrypt stanzas and refuses a scrypt stanza mixed with others', async () => {
    const identity = new NativeScryptIdentity(PASS);
    const other = new Stanza(['X25519', 'abc'], new Uint8Array(32));
    expect(await identity.unwrapFileKey([other])).toBeNull();
    const [scrypt] = await new NativeScryptRecipient(PASS, 10).wrapFileKey(new Uint8Array(16));
    await expect(identity.unwrapFileKey([scrypt!, other])).rejects.toThrow(/only one/);
  });

  it('unwraps the exact file key it wrapped', async () => {
    const fileKey = new Uint8Array(16).map((_, i) => i * 7);
    const stanzas = await new NativeScryptRecipient(PASS, 10).wrapFileKey(fileKey);
    expect(stanzas[0]!.body).toHaveLength(32);
    expect(Buffer.from((await new NativeScryptIdentity(PASS).unwrapFileKey(stanzas))!)).toEqual(
      Buffer.from(fileKey),
    );
  });

  it.each([
    ['a work factor above 22', ['scrypt', 'AAAAAAAAAAAAAAAAAAAAAA', '23'], 32, /too high/],
    ['a padded salt', ['scrypt', 'AAAAAAAAAAAAAAAAAAAAAA==', '10'], 32, /invalid/],
    ['a non-canonical salt', ['scrypt', 'AAAAAAAAAAAAAAAAAAAAAB', '10'], 32, /invalid/],
    ['a short salt', ['scrypt', 'AAAAAAAAAAAAAAAAAAAA', '10'], 32, /invalid/],
    ['a leading-zero work factor', ['scrypt', 'AAAAAAAAAAAAAAAAAAAAAA', '010'], 32, /invalid/],
    ['a short body', ['scrypt', 'AAAAAAAAAAAAAAAAAAAAAA', '10'], 31, /invalid/],
    ['an extra argument', ['scrypt', 'AAAAAAAAAAAAAAAAAAAAAA', '10', 'x'], 32, /invalid/],
  ])('rejects a stanza with %s', async (_, args, bodyLength, message) => {
    const stanza = new Stanza(args as string[], new Uint8Array(bodyLength as number));
    await expect(new NativeScryptIdentity(PASS).unwrapFileKey([stanza])).rejects.toThrow(
      message as RegExp,
    );
  });

  it('rejects out-of-range work factors when encrypting', () => {
    expect(() => new NativeScryptRecipient(PASS, 0)).toThrow(RangeError);
    expect(() => new NativeScryptRecipient(PASS, 23)).toThrow(RangeError);
    expect(() => new NativeScryptRecipient(PASS, 10.5)).toThrow(RangeError);
  });

  it('prepares a single-use recipient whose file the same identity opens', async () => {
    const identity = new NativeScryptIdentity(PASS);
    const prepared = await identity.prepareRecipient(10);
    const fileKey = new Uint8Array(16).fill(9);
    const stanzas = await prepared.wrapFileKey(fileKey);
    expect(stanzas[0]!.args).toEqual([
      'scrypt',
      expect.stringMatching(/^[A-Za-z0-9+/]{22}$/),
      '10',
    ]);
    expect(() => prepared.wrapFileKey(fileKey)).toThrow(/one file key/);
    // A fresh identity (no remembered keys) agrees, so the prepared key is the real scrypt output.
    expect(Buffer.from((await new NativeScryptIdentity(PASS).unwrapFileKey(stanzas))!)).toEqual(
      Buffer.from(fileKey),
    );
    expect(await new NativeScryptIdentity('other').unwrapFileKey(stanzas)).toBeNull();
    await expect(identity.prepareRecipient(30)).rejects.toThrow(RangeError);
  });

  it('does not interfere with X25519 identities in the same decrypter', async () => {
    const x25519 = await generateIdentity();
    const encrypter = new Encrypter();
    encrypter.addRecipient(await identityToRecipient(x25519));
    const file = await encrypter.encrypt('D=4\n');
    const decrypter = new Decrypter();
    decrypter.addIdentity(new NativeScryptIdentity(PASS));
    decrypter.addIdentity(x25519);
    expect(await decrypter.decrypt(file, 'text')).toBe('D=4\n');
  });
});

describe('passphrase interop with the age CLI (driven through tmux)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exkeys-scrypt-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('age -d opens a file encrypted by NativeScryptRecipient', async (ctx) => {
    if (tmuxMissing) {
      console.warn(`skipped: ${tmuxMissing}`);
      ctx.skip();
    }
    const input = join(dir, 'native.age');
    await writeFile(input, await encryptNative('FROM_EXKEYS=yes\n', 12));
    const out = join(dir, 'native.txt');
    await ageInTmux(
      `exkeys-scrypt-${process.pid}-d`,
      `age -d -o ${out} ${input}`,
      [PASS],
      join(dir, 'd.done'),
    );
    expect(await readFile(out, 'utf8')).toBe('FROM_EXKEYS=yes\n');
  });

  it('NativeScryptIdentity opens a file encrypted by age -p', async (ctx) => {
    if (tmuxMissing) {
      console.warn(`skipped: ${tmuxMissing}`);
      ctx.skip();
    }
    const input = join(dir, 'plain.txt');
    await writeFile(input, 'FROM_AGE=yes\n');
    const output = join(dir, 'cli.age');
    await ageInTmux(
      `exkeys-scrypt-${process.pid}-p`,
      `age -p -o ${output} ${input}`,
      [PASS, PASS],
      join(dir, 'p.done'),
    );
    const file = await readFile(output);
    expect(file.toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> scrypt \S+ 18\n/);
    const decrypter = new Decrypter();
    decrypter.addIdentity(new NativeScryptIdentity(PASS));
    expect(await decrypter.decrypt(file, 'text')).toBe('FROM_AGE=yes\n');
  });
});
