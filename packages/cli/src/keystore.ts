/**
 * Opening an age keystore for `--keystore`. The key comes from what the core's `resolveAgeKey` finds
 * (`EXKEYS_PASSPHRASE`, `EXKEYS_AGE_IDENTITY`, `EXKEYS_AGE_IDENTITY_FILE`, a keychain, the default
 * identity file); when there is none and stdin is a terminal, from a hidden passphrase prompt.
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AgeStoreOptions, ageStore, KeystoreError, resolveAgeKey } from '@exkeys/credentials';
import { CommandFailed, EXIT } from './exit-codes.js';
import type { SelectedStore } from './store-selection.js';
import { printError } from './terminal.js';

async function promptPassphrase(path: string, confirm: boolean): Promise<string> {
  const { password, isCancel } = await import('@clack/prompts');
  const ask = async (message: string) => {
    const value = await password({ message, mask: '•', output: process.stderr });
    if (isCancel(value)) {
      printError('Cancelled: nothing was changed.');
      throw new CommandFailed(EXIT.failed);
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
      `No key to open ${path}: set EXKEYS_PASSPHRASE, EXKEYS_AGE_IDENTITY or EXKEYS_AGE_IDENTITY_FILE, or run exkeys in a terminal to type the passphrase.`,
    );
  }
  return { path, passphrase: await promptPassphrase(path, !existsSync(path)) };
}

/** Opens the age keystore at `path` (absolute); `shown` is the path as the user typed it. */
export async function openKeystore(path: string, shown: string): Promise<SelectedStore> {
  const store = ageStore(await keystoreOptions(path));
  const identityFile = process.env.EXKEYS_AGE_IDENTITY_FILE;
  return {
    location: shown,
    files: identityFile ? [path, resolve(identityFile)] : [path],
    target: { store },
    load: { stores: [store] },
  };
}
