/**
 * Phrases several commands print: counts with plurals, the `--profile` suffix of a suggested
 * command, and the "no keys" message.
 * @module
 */

/** `count` and `word`, plural unless the count is 1: `1 file`, `3 files`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The ` --profile NAME` to append to a suggested command; empty for the default profile. */
export function profileFlag(profile: string): string {
  return profile === 'default' ? '' : ` --profile ${profile}`;
}

/** The command that adds a first key. */
export const ADD_KEY_COMMAND = 'exkeys set <exchange>';

/** What a command says when the store holds no exchange key: `No exchange keys in .env. Add one …`. */
export function noKeysMessage(location: string): string {
  return `No exchange keys in ${location}. Add one with \`${ADD_KEY_COMMAND}\`.`;
}
