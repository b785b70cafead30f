/**
 * Trust on first use for a keystore's recipients. Anyone who can edit a committed
 * `<keystore>.recipients` can add their own `age1…` to it, and the next write would encrypt the
 * team's keys to them. So each user's state directory records, per keystore (by real path), the list
 * that user last wrote to; a write against a different list needs the user's consent.
 * @module
 */
import { mkdir, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { KeystoreError } from '../../errors.js';
import { exkeysStateDir } from '../../state-dir.js';
import { withFileLock, writeFileAtomic } from '../atomic-file.js';
import { readFileIfExists } from '../store-file.js';

/** How a keystore's recipient list differs from the one this user last accepted. */
export interface RecipientChange {
  /** The keystore, by its real path. */
  keystore: string;
  /** Recipients in `<keystore>.recipients` that were not in the accepted list. */
  added: string[];
  /** Recipients of the accepted list that are no longer in `<keystore>.recipients`. */
  removed: string[];
}

/**
 * Whether a write may go ahead when `<keystore>.recipients` changed since this user last wrote: `true`
 * accepts any change, a function decides (e.g. asks on a terminal), `false` or absent refuses.
 */
export type AcceptRecipients = boolean | ((change: RecipientChange) => boolean | Promise<boolean>);

/**
 * The file recording the accepted recipient lists: `$XDG_STATE_HOME/exkeys/recipients.json`, by
 * default `~/.local/state/exkeys/recipients.json` (mode 0600).
 */
export function recipientStateFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(exkeysStateDir(env), 'recipients.json');
}

async function keystoreKey(path: string): Promise<string> {
  const absolute = resolve(path);
  const directory = await realpath(dirname(absolute)).catch(() => dirname(absolute));
  return join(directory, basename(absolute));
}

async function readState(file: string): Promise<Record<string, string[]>> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileIfExists(file);
  } catch (error) {
    throw stateError(file, error);
  }
  if (bytes === undefined) return {};
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, string[]>;
    }
  } catch {}
  throw new KeystoreError(
    'corrupted',
    `${file}, where exkeys records the keystore recipients you accepted, is not valid JSON. Delete it; ` +
      'the next write to each keystore records its current recipients again (trust on first use).',
  );
}

function stateError(file: string, error: unknown): KeystoreError {
  const code = (error as NodeJS.ErrnoException)?.code ?? 'unknown error';
  return new KeystoreError(
    'io',
    `Cannot use ${file}, where exkeys records the keystore recipients you accepted (${code}). Check ` +
      'its owner and mode, or set XDG_STATE_HOME to a directory of your own.',
    { cause: error },
  );
}

/**
 * Checks `current`, the recipients the next write of `keystore` encrypts to, against the list this
 * user last accepted. Nothing recorded yet: accepted (trust on first use; the write records it).
 * @throws {KeystoreError} `recipients-changed`, listing what was added and removed, unless `accept`
 * agrees.
 */
export async function checkRecipientsAccepted(
  keystore: string,
  current: readonly string[],
  accept: AcceptRecipients | undefined,
): Promise<void> {
  const file = recipientStateFile();
  const key = await keystoreKey(keystore);
  const recorded = (await readState(file))[key];
  if (!Array.isArray(recorded)) return;
  const added = current.filter((r) => !recorded.includes(r));
  const removed = recorded.filter((r) => !current.includes(r));
  if (added.length === 0 && removed.length === 0) return;
  const change: RecipientChange = { keystore: key, added, removed };
  const agreed = typeof accept === 'function' ? await accept(change) : accept === true;
  if (agreed) return;
  throw new KeystoreError(
    'recipients-changed',
    `The recipients of ${keystore} changed since you last wrote it (${describeChange(change)}). ` +
      `Nothing was written: a new recipient can read every key in it. Check ${keystore}.recipients with ` +
      'your team; if the change is right, pass acceptRecipients: true (CLI: --accept-recipients).',
  );
}

/** `added age1…, removed age1…`: recipients are public keys, safe to show. */
export function describeChange(change: RecipientChange): string {
  const parts = [
    change.added.length > 0 ? `added ${change.added.join(', ')}` : undefined,
    change.removed.length > 0 ? `removed ${change.removed.join(', ')}` : undefined,
  ];
  return parts.filter((part) => part !== undefined).join('; ');
}

/** Records `recipients` as the list this user accepted for `keystore` (locked, atomic, mode 0600). */
export async function recordRecipients(
  keystore: string,
  recipients: readonly string[],
): Promise<void> {
  const file = recipientStateFile();
  const key = await keystoreKey(keystore);
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await withFileLock(file, async () => {
      const state = await readState(file);
      const current = state[key];
      if (Array.isArray(current) && current.join('\n') === recipients.join('\n')) return;
      state[key] = [...recipients];
      await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    });
  } catch (error) {
    if (KeystoreError.isInstance(error)) throw error;
    throw stateError(file, error);
  }
}
