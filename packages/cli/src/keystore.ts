/**
 * The key for an age keystore (`--keystore`, `encrypt`, `decrypt`): what the core's `resolveAgeKey`
 * finds (see the core's `AGE_KEY_SOURCES`); when there is none and stdin is a terminal, a hidden
 * passphrase prompt.
 * @module
 */
import { existsSync } from 'node:fs';
import {
  AGE_KEY_SOURCES,
  type AgeStoreOptions,
  KeystoreError,
  resolveAgeKey,
} from '@exkeys/credentials';
import { CommandFailed, EXIT } from './exit-codes.js';
import { printError } from './terminal.js';

async function promptPassphrase(path: string, confirm: boolean): Promise<string> {
  const { password, isCancel } = await import('@clack/prompts');
  const ask = async (message: string) => {
    const value = await password({ message, mask: '•', output: process.stderr });
    if (isCancel(value)) {
      printError('Cancelled: nothing was changed.');
      throw new CommandFailed(EXIT.cancelled);
    }
    return value;
  };
  const first = await ask(`Passphrase for ${path} (hidden)`);
  if (confirm && (await ask('Type it again')) !== first) {
    printError('The two passphrases differ: nothing was changed.');
    throw new CommandFailed(EXIT.failed);
  }
  return first;
}

/**
 * The `ageStore` options for the keystore at `path`: an empty object when a configured source will
 * supply the key, or a prompted passphrase (typed twice for a new keystore).
 * @throws {KeystoreError} `no-key` when nothing supplies a key and stdin is not a terminal.
 */
export async function keystoreOptions(path: string): Promise<AgeStoreOptions> {
  if ((await resolveAgeKey({})) !== null) return { path };
  if (!process.stdin.isTTY) {
    throw new KeystoreError(
      'no-key',
      `No key to open ${path}: exkeys takes it from ${AGE_KEY_SOURCES}. Set one of them, or run exkeys in a terminal to type the passphrase.`,
    );
  }
  return { path, passphrase: await promptPassphrase(path, !existsSync(path)) };
}
