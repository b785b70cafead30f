/**
 * `exkeys encrypt` / `exkeys decrypt`: move the `.env` file into an age keystore and back, every line
 * kept (comments, rotation times, unrelated variables), through the core's migration functions.
 * @module
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { migrateEnvToKeystore, migrateKeystoreToEnv, recipientsFile } from '@exkeys/credentials';
import { keystoreOptions } from '../keystore.js';
import { plural } from '../messages.js';
import type { StoreOptions } from '../options.js';
import { out, print } from '../terminal.js';

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
  const result = await migrateEnvToKeystore(envFile, await keystoreOptions(keystore), {
    deleteEnvFile: !options.keep,
  });
  print(
    `${out.green('✔')} encrypted ${options.envFile} into ${shownKeystore} (${plural(result.names.length, 'variable')})`,
  );
  print(
    options.keep
      ? `  ${options.envFile} was kept: delete it once you have checked the keystore.`
      : `  ${options.envFile} was deleted. Use the keystore with --keystore ${shownKeystore}.`,
  );
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
