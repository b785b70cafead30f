/**
 * The rotation journal: one small JSON file per store, exchange and profile in the user's state
 * directory, written (atomically, mode 0600) before each step of `rotateKey` happens, so that a
 * rotation killed at any moment can be finished or rolled back. It holds no secret and no whole
 * API key: keys are recorded as SHA-256 fingerprints and matched against the exchange's key list.
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyRotationError } from '../errors.js';
import { exkeysStateDir } from '../state-dir.js';
import { listTemporaryFiles, writeFileAtomic } from '../stores/atomic-file.js';

/**
 * The steps, in order. Each is recorded before it starts: `create` (a new key may exist from here
 * on), `swap` (the store may hold the new key), `delete` (the old key may be gone).
 */
export type RotationStep = 'create' | 'verify' | 'swap' | 'grace' | 'delete' | 'confirm';

/** What the journal records. */
export interface RotationJournal {
  version: 1;
  /** Random id of this rotation; part of the new key's label. */
  id: string;
  exchange: string;
  profile: string;
  adminProfile: string;
  /** The store, for messages. */
  store: string;
  /** The sub-account of the key. */
  account: string;
  /** The label the new key was created with. */
  label: string;
  /** Fingerprint of the key being replaced. */
  oldKey: string;
  /** Fingerprint of the new key, once the exchange created it. */
  newKey: string | null;
  /** The step about to happen, or under way. */
  step: RotationStep;
  /** When the rotation started and when this record was written (ISO 8601). */
  startedAt: string;
  updatedAt: string;
}

/** A non-reversible fingerprint of an API key: enough to find it in a list, useless to sign with. */
export function fingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 32);
}

/** `$XDG_STATE_HOME/exkeys`, else `~/.local/state/exkeys` (see `exkeysStateDir`). */
export const defaultStateDir: typeof exkeysStateDir = exkeysStateDir;

/** The journal file of one store, exchange and profile. */
export function journalPath(
  stateDir: string,
  store: string,
  exchange: string,
  profile: string,
): string {
  const id = createHash('sha256').update(`${store}\u0000${exchange}\u0000${profile}`).digest('hex');
  return join(
    stateDir,
    'rotations',
    `${exchange}-${profile.toLowerCase()}-${id.slice(0, 16)}.json`,
  );
}

/** The journal at `path`, or `undefined` when there is none. */
export async function readJournal(
  path: string,
  exchange: string,
): Promise<RotationJournal | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw journalError(
      exchange,
      `cannot read the rotation journal ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const record = value as Partial<RotationJournal> | undefined;
  const steps: readonly string[] = ['create', 'verify', 'swap', 'grace', 'delete', 'confirm'];
  if (
    typeof record !== 'object' ||
    record === null ||
    record.version !== 1 ||
    typeof record.id !== 'string' ||
    typeof record.account !== 'string' ||
    typeof record.label !== 'string' ||
    typeof record.oldKey !== 'string' ||
    !(record.newKey === null || typeof record.newKey === 'string') ||
    typeof record.step !== 'string' ||
    !steps.includes(record.step)
  ) {
    throw journalError(
      exchange,
      `the rotation journal ${path} is not one exkeys wrote (or it is damaged). Check the exchange's key list and the store by hand, then delete the file`,
    );
  }
  return record as RotationJournal;
}

/** Writes the journal atomically with mode 0600 (its directory 0700). */
export async function writeJournal(path: string, journal: RotationJournal): Promise<void> {
  try {
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, `${JSON.stringify(journal, null, 2)}\n`, { mode: 0o600 });
  } catch (error) {
    throw journalError(
      journal.exchange,
      `cannot write the rotation journal ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); nothing further was changed`,
    );
  }
}

/**
 * Removes the journal of a finished (or rolled back) rotation, and the temporary files of journal
 * writes a killed rotation left. The caller holds the journal's lock, so no live writer owns them.
 */
export async function removeJournal(path: string): Promise<void> {
  for (const file of [path, ...(await listTemporaryFiles(path))]) {
    await unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

function journalError(exchange: string, what: string): KeyRotationError {
  return new KeyRotationError(exchange, 'journal', `Key rotation stopped: ${what}.`, {
    step: 'journal',
  });
}
