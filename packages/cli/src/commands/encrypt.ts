/**
 * `exkeys encrypt` / `exkeys decrypt`: move the `.env` file into an age keystore and back, every line
 * kept (comments, rotation times, unrelated variables), through the core's migration functions.
 * @module
 */
import { rm } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { migrateEnvToKeystore, migrateKeystoreToEnv, recipientsFile } from '@exkeys/credentials';
import { keystoreOptions } from '../keystore.js';
import { plural } from '../messages.js';
import type { StoreOptions } from '../options.js';
import { err, out, print, printError } from '../terminal.js';

/** Options of `exkeys encrypt` and `exkeys decrypt`. */
export interface MoveOptions extends StoreOptions {
  /** Keep the source too (copy instead of move). */
  keep?: boolean;
}

function paths(options: MoveOptions): { envFile: string; keystore: string; shownKeystore: string } {
  const shownKeystore = options.keystore ?? `${options.envFile}.age`;
  return { envFile: resolve(options.envFile), keystore: resolve(shownKeystore), shownKeystore };
}

/** Runs `exkeys encrypt`. */
export async function encryptCommand(options: MoveOptions): Promise<void> {
  const { envFile, keystore, shownKeystore } = paths(options);
  const result = await migrateEnvToKeystore(
    envFile,
    await keystoreOptions(keystore, options.acceptRecipients),
    {
      deleteEnvFile: !options.keep,
    },
  );
  print(
    `${out.green('✔')} encrypted ${options.envFile} into ${shownKeystore} (${plural(result.names.length, 'variable')})`,
  );
  if (options.keep) {
    print(`  ${options.envFile} was kept: delete it once you have checked the keystore.`);
    return;
  }
  const shown = result.deleted.map((path) => relative(process.cwd(), path) || path);
  print(
    shown.length > 1
      ? `  ${shown.join(' and ')} were deleted (${options.envFile} was a symlink to ${shown[0]}).`
      : `  ${options.envFile} was deleted.`,
  );
  if (result.otherHardLinks > 0) {
    printError(
      `${err.yellow('warning')} the plaintext is still on disk: ${options.envFile} had ${plural(result.otherHardLinks, 'other hard link')}, ` +
        `which still hold every key. Find and delete them: find / -xdev -inum ${result.inode}`,
    );
  }
  print(`  Use the keystore with --keystore ${shownKeystore}.`);
}

/** Runs `exkeys decrypt`. */
export async function decryptCommand(options: MoveOptions): Promise<void> {
  const { envFile, keystore, shownKeystore } = paths(options);
  const result = await migrateKeystoreToEnv(await keystoreOptions(keystore), envFile);
  if (!options.keep) {
    await rm(keystore);
    // A stale recipient list would silently re-encrypt a later keystore to the old team.
    await rm(recipientsFile(keystore), { force: true });
  }
  print(
    `${out.green('✔')} decrypted ${shownKeystore} into ${options.envFile} (mode 0600, ${plural(result.names.length, 'variable')})`,
  );
  if (!options.keep) print(`  ${shownKeystore} was deleted.`);
}
