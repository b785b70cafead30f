/**
 * Phrases several commands print: counts with plurals, the `--profile` suffix of a suggested
 * command, and the "no keys" message.
 * @module
 */
import { existsSync } from 'node:fs';

/** `count` and `word`, plural unless the count is 1: `1 file`, `3 files`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The ` --profile NAME` to append to a suggested command; empty for the default profile. */
export function profileFlag(profile: string): string {
  return profile === 'default' ? '' : ` --profile ${profile}`;
}

/**
 * How hints spell the CLI: as a user runs it in their own project, where `exkeys` is a local
 * dependency (`npx` finds it in `node_modules/.bin`).
 */
export const EXKEYS_COMMAND = 'npx exkeys';

/** The command that adds a first key. */
export const ADD_KEY_COMMAND = `${EXKEYS_COMMAND} set <exchange>`;

/**
 * What a command says when the store holds no exchange key: `No exchange keys in .env. Add one …`.
 * When an age keystore sits next to that `.env` (after `exkeys encrypt`), it names it and the
 * `--keystore` flag instead.
 */
export function noKeysMessage(location: string, isEnvFile = true): string {
  const keystore = `${location}.age`;
  if (isEnvFile && existsSync(keystore)) {
    return `No exchange keys in ${location}, but the keystore ${keystore} is next to it: add --keystore ${keystore}.`;
  }
  return `No exchange keys in ${location}. Add one with \`${ADD_KEY_COMMAND}\`.`;
}
