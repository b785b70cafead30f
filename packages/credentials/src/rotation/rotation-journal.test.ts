import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyRotationError } from '../errors.js';
import {
  defaultStateDir,
  fingerprint,
  journalPath,
  type RotationJournal,
  readJournal,
  removeJournal,
  writeJournal,
} from './rotation-journal.js';

const KEY = 'CANARYbotKEY000001';

function journal(path: string): RotationJournal {
  return {
    version: 1,
    id: '0c1d2e3f',
    exchange: 'bybit',
    profile: 'BOT',
    adminProfile: 'ADMIN',
    store: path,
    account: '100400345',
    label: 'exkeys-bot-0c1d2e3f',
    oldKey: fingerprint(KEY),
    newKey: null,
    step: 'create',
    startedAt: '2026-01-15T09:30:00.000Z',
    updatedAt: '2026-01-15T09:30:00.000Z',
  };
}

describe('the rotation journal', () => {
  it('lives in $XDG_STATE_HOME/exkeys, else ~/.local/state/exkeys, one file per store and profile', () => {
    expect(defaultStateDir({ XDG_STATE_HOME: '/x/state' })).toBe('/x/state/exkeys');
    expect(defaultStateDir({})).toMatch(/\/\.local\/state\/exkeys$/);
    const a = journalPath('/s', '/p/.env', 'bybit', 'BOT');
    expect(a).not.toBe(journalPath('/s', '/q/.env', 'bybit', 'BOT'));
    expect(a).not.toBe(journalPath('/s', '/p/.env', 'bybit', 'GRID'));
  });

  it('round-trips with mode 0600, holds a fingerprint and never the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'exkeys-journal-'));
    const path = journalPath(dir, '/p/.env', 'bybit', 'BOT');
    await writeJournal(path, journal('/p/.env'));
    expect(await readJournal(path, 'bybit')).toEqual(journal('/p/.env'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const text = await (await import('node:fs/promises')).readFile(path, 'utf8');
    expect(text).toContain(fingerprint(KEY));
    expect(text).not.toContain(KEY.slice(0, 7));
    await removeJournal(path);
    expect(await readdir(join(dir, 'rotations'))).toEqual([]);
    expect(await readJournal(path, 'bybit')).toBeUndefined();
  });

  it('refuses a journal it did not write, with reason journal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'exkeys-journal-'));
    const path = join(dir, 'j.json');
    for (const text of [
      '{',
      '{"version":2}',
      JSON.stringify({ ...journal('/p'), step: 'later' }),
    ]) {
      await writeFile(path, text);
      const error = await readJournal(path, 'bybit').catch((e: unknown) => e);
      expect(KeyRotationError.isInstance(error)).toBe(true);
      expect((error as KeyRotationError).reason).toBe('journal');
    }
  });
});
