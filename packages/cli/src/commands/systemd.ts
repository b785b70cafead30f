/**
 * `exkeys systemd <unit>`: prints a drop-in that hands a bot's keys to it as systemd credentials
 * (`LoadCredentialEncrypted=`, or `LoadCredential=` with `--plain`), the `systemd-creds encrypt`
 * commands that create them, and a timer + service running `exkeys doctor --live` daily. Nothing
 * is written and no secret is printed: only the variable names are read from the store.
 * @module
 */
import { realpathSync } from 'node:fs';
import {
  needsPassphrase,
  normalizeExchange,
  parseVariableName,
  variableNames,
} from '@exkeys/credentials';
import { UsageError } from '../exit-codes.js';
import type { StoreOptions } from '../options.js';
import { loadPrivateEnv, selectStore } from '../store-selection.js';
import { systemdUnits } from '../systemd-units.js';
import { print, printJson } from '../terminal.js';

/** Options of `exkeys systemd`. */
export interface SystemdOptions extends StoreOptions {
  /** Generate for these exchanges (with `--profile`) instead of the keys in the store. */
  exchange?: string[];
  /** `LoadCredential=` from plain files instead of encrypted ones. */
  plain?: boolean;
  /** Let the daily doctor post to the webhook in an `EXKEYS_NOTIFY_URL` credential. */
  notify?: boolean;
  /** Where the credential files go. @default '/etc/credstore.encrypted' (`/etc/credstore` with `--plain`) */
  credstore?: string;
  /** The exkeys executable for `ExecStart=`. @default this node and this exkeys, as absolute paths */
  exkeysPath?: string;
}

/** The credential variables to load: those of `--exchange`, else every one the store holds. */
async function variablesFor(options: SystemdOptions): Promise<string[]> {
  if (options.exchange !== undefined && options.exchange.length > 0) {
    return options.exchange.flatMap((exchange) => {
      const id = normalizeExchange(exchange);
      const names = variableNames(id, options.profile);
      return needsPassphrase(id)
        ? [names.key, names.secret, names.passphrase]
        : [names.key, names.secret];
    });
  }
  const store = await selectStore(options);
  const env = await loadPrivateEnv(store);
  const names = Object.keys(env)
    .filter((name) => env[name] !== undefined && parseVariableName(name) !== undefined)
    .sort();
  if (names.length === 0) {
    throw new UsageError(
      `There are no exchange keys in ${store.location} to load: add them (exkeys set <exchange>), point --env-file at them, or name them with --exchange bybit okx.`,
    );
  }
  return names;
}

/** Runs `exkeys systemd <unit>`. */
export async function systemdCommand(unit: string, options: SystemdOptions): Promise<void> {
  const variables = await variablesFor(options);
  const exkeys =
    options.exkeysPath !== undefined
      ? [options.exkeysPath]
      : [process.execPath, realpathSync(process.argv[1] ?? '')];
  let units: ReturnType<typeof systemdUnits>;
  try {
    units = systemdUnits({
      unit,
      variables,
      exkeys,
      plain: options.plain === true,
      notify: options.notify === true,
      ...(options.credstore === undefined ? {} : { credstore: options.credstore }),
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (options.json) {
    printJson(units);
    return;
  }
  print('# Save each file below (as root), then run the commands at the end.');
  for (const file of units.files) {
    print();
    print(`# ==> ${file.path} <==`);
    print(file.content.trimEnd());
  }
  print();
  print('# ==> commands <== (each value is typed at a hidden prompt, never echoed)');
  for (const command of units.commands) print(command);
}
