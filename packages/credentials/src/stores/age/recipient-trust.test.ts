// Trust on first use for `<keystore>.recipients`: a teammate's (or an attacker's) edit of the
// committed list must not silently re-encrypt the keys to a new recipient.
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeystoreError } from '../../errors.js';
import { recipientsFile } from './age-file.js';
import { ageStore } from './age-store.js';
import { type RecipientChange, recipientStateFile } from './recipient-trust.js';

const CANARY = 'CANARYSECRETtrust0123456789abcdef';
let dir = '';
let saved: string | undefined;

async function newKey() {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-trust-'));
  saved = process.env.XDG_STATE_HOME;
  process.env.XDG_STATE_HOME = join(dir, 'state');
});
afterEach(async () => {
  if (saved === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = saved;
  await rm(dir, { recursive: true, force: true });
});

describe('recipients: trust on first use', () => {
  it('records the list on first write (0600), refuses a changed list, and names what changed', async () => {
    const [alice, bob, mallory] = await Promise.all([newKey(), newKey(), newKey()]);
    const path = join(dir, '.env.age');
    const store = ageStore({
      path,
      identity: alice.identity,
      recipients: [alice.recipient, bob.recipient],
    });
    await store.write({ S: CANARY });
    const state = recipientStateFile();
    expect(state).toBe(join(dir, 'state', 'exkeys', 'recipients.json'));
    expect((await stat(state)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(state, 'utf8'))).toEqual({
      [path]: [alice.recipient, bob.recipient],
    });
    // Control: the unchanged list writes fine.
    await store.write({ S: `${CANARY}2` });
    // Someone swaps bob for mallory in the committed list.
    await writeFile(recipientsFile(path), `${alice.recipient}\n${mallory.recipient}\n`);
    const before = await readFile(path);
    const error = await store.write({ S: `${CANARY}3` }).catch((e: unknown) => e);
    expect(KeystoreError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'recipients-changed' });
    const message = (error as Error).message;
    expect(message).toContain(`added ${mallory.recipient}`);
    expect(message).toContain(`removed ${bob.recipient}`);
    expect(message).toContain('--accept-recipients');
    expect(message).not.toContain(CANARY);
    expect((await readFile(path)).equals(before)).toBe(true);
    // addRecipient on top of the tampered list is refused as well.
    const carol = await newKey();
    await expect(store.addRecipient(carol.recipient)).rejects.toMatchObject({
      code: 'recipients-changed',
    });
    // A callback that declines refuses; one that agrees sees the change and lets the write through.
    const declined = ageStore({ path, identity: alice.identity, acceptRecipients: () => false });
    await expect(declined.write({ S: 'x' })).rejects.toMatchObject({ code: 'recipients-changed' });
    const seen: RecipientChange[] = [];
    const asked = ageStore({
      path,
      identity: alice.identity,
      acceptRecipients: (change) => {
        seen.push(change);
        return true;
      },
    });
    await asked.write({ S: `${CANARY}4` });
    expect(seen).toEqual([
      { keystore: path, added: [mallory.recipient], removed: [bob.recipient] },
    ]);
    // Accepted once, recorded: the plain store writes again without asking.
    await store.write({ S: `${CANARY}5` });
    expect(JSON.parse(await readFile(state, 'utf8'))[path]).toEqual([
      alice.recipient,
      mallory.recipient,
    ]);
  });

  it('acceptRecipients: true accepts; the record is keyed by the real path', async () => {
    const [alice, mallory] = await Promise.all([newKey(), newKey()]);
    const path = join(dir, '.env.age');
    await ageStore({ path, identity: alice.identity }).write({ S: CANARY });
    await writeFile(recipientsFile(path), `${alice.recipient}\n`);
    await ageStore({ path, identity: alice.identity }).write({ S: CANARY });
    const linked = join(dir, 'linked');
    await symlink(dir, linked);
    await writeFile(recipientsFile(path), `${alice.recipient}\n${mallory.recipient}\n`);
    // Through another path to the same directory, the same record applies.
    const via = join(linked, '.env.age');
    await expect(
      ageStore({ path: via, identity: alice.identity }).write({ S: '1' }),
    ).rejects.toMatchObject({ code: 'recipients-changed' });
    await ageStore({ path: via, identity: alice.identity, acceptRecipients: true }).write({
      S: '2',
    });
    expect(Object.keys(JSON.parse(await readFile(recipientStateFile(), 'utf8')))).toEqual([path]);
  });
});
