/**
 * The key for an age keystore (`--keystore`, `encrypt`, `decrypt`): what the core's `resolveAgeKey`
 * finds (see the core's `AGE_KEY_SOURCES`); when there is none and stdin is a terminal, a hidden
 * passphrase prompt.
 * @module
 */
import { existsSync } from 'node:fs';
import {
  type AcceptRecipients,
  AGE_KEY_SOURCES,
  type AgeStoreOptions,
  KeystoreError,
  type RecipientChange,
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

// A changed recipient list is shown on a terminal and written only if the user says yes.
async function confirmRecipients(change: RecipientChange): Promise<boolean> {
  const { confirm, isCancel } = await import('@clack/prompts');
  const lines = [...change.added.map((r) => `  + ${r}`), ...change.removed.map((r) => `  - ${r}`)];
  printError(
    `The recipients of ${change.keystore} changed since you last wrote it:\n${lines.join('\n')}`,
  );
  const answer = await confirm({
    message: 'Encrypt every key in it to this new list?',
    initialValue: false,
    output: process.stderr,
  });
  return !isCancel(answer) && answer === true;
}

function acceptRecipients(accept: boolean | undefined): AcceptRecipients | undefined {
  if (accept) return true;
  return process.stdin.isTTY && process.stderr.isTTY ? confirmRecipients : undefined;
}

/**
 * The `ageStore` options for the keystore at `path`: an empty object when a configured source will
 * supply the key, or a prompted passphrase (typed twice for a new keystore). A changed recipient
 * list is accepted with `accept` (`--accept-recipients`), asked about on a terminal, else refused.
 * @throws {KeystoreError} `no-key` when nothing supplies a key and stdin is not a terminal.
 */
export async function keystoreOptions(path: string, accept?: boolean): Promise<AgeStoreOptions> {
  const trust = acceptRecipients(accept);
  const base = trust === undefined ? { path } : { path, acceptRecipients: trust };
  if ((await resolveAgeKey({})) !== null) return base;
  if (!process.stdin.isTTY) {
    throw new KeystoreError(
      'no-key',
      `No key to open ${path}: exkeys takes it from ${AGE_KEY_SOURCES}. Set one of them, or run exkeys in a terminal to type the passphrase.`,
    );
  }
  return { ...base, passphrase: await promptPassphrase(path, !existsSync(path)) };
}
