/**
 * `exkeys rotate <exchange>`: read a new key like `set`, verify it live (unless `--no-verify`), swap
 * it in atomically with its rotation time, and tell the user to delete the old key on the exchange.
 * Nothing changes when any step before the swap fails.
 * @module
 */
import {
  exchangeFacts,
  maskKey,
  normalizeExchange,
  updateApiKey,
  variableNames,
} from '@exkeys/credentials';
import { CommandFailed, EXIT, UsageError } from '../exit-codes.js';
import { printLiveResults } from '../live-report.js';
import { describeTarget, endpointFrom, verifyMany } from '../live-verification.js';
import { profileFlag } from '../messages.js';
import {
  type AutoRotateFlags,
  type EndpointOptions,
  type PurposeOptions,
  parseAllowPermissions,
  type SecretFileOptions,
  type StoreOptions,
} from '../options.js';
import { assertValidNew, type NewCredentials, readCredentialsOption } from '../secret-input.js';
import { loadPrivateEnv, profileOf, selectStore } from '../store-selection.js';
import { err, out, print, printError, startProgress } from '../terminal.js';

/** Options of `exkeys rotate`. */
export interface RotateOptions
  extends StoreOptions,
    EndpointOptions,
    PurposeOptions,
    SecretFileOptions,
    AutoRotateFlags {
  /** False with `--no-verify`. */
  verify: boolean;
}

/** The exchange's API-management page from the core's table, or a generic hint for others. */
function apiManagementPage(exchange: string): string {
  return (
    exchangeFacts(exchange)?.apiManagementPage ??
    `the API management page of your ${exchange} account`
  );
}

/** Runs `exkeys rotate`. */
export async function rotateCommand(exchangeArg: string, options: RotateOptions): Promise<void> {
  if (options.auto || options.resume) {
    const { autoRotate } = await import('../auto-rotation.js');
    return autoRotate(exchangeArg, options);
  }
  const autoOnly = (
    [
      ['adminProfile', '--admin-profile'],
      ['grace', '--grace'],
      ['allowNoIp', '--allow-no-ip'],
      ['dryRun', '--dry-run'],
      ['json', '--json'],
    ] as const
  ).filter(([name]) => options[name] !== undefined);
  if (autoOnly.length > 0) {
    throw new UsageError(
      `${autoOnly.map(([, flag]) => flag).join(', ')} only work with --auto (rotation through the exchange's sub-account key API).`,
    );
  }
  const exchange = normalizeExchange(exchangeArg);
  const profile = profileOf(options);
  const names = variableNames(exchange, profile);
  const store = await selectStore(options);
  const current = await loadPrivateEnv(store);
  const oldKey = current[names.key];
  if (!oldKey) {
    printError(
      `${err.red('error')} ${names.key} is not set in ${store.location}: there is nothing to rotate. Use \`exkeys set ${exchange}${profileFlag(profile)}\`.`,
    );
    throw new CommandFailed(EXIT.failed);
  }
  if (options.fromFile !== undefined && options.secretFile !== undefined) {
    throw new UsageError(
      '--from-file reads both the key and the secret from the key file, so it takes no --secret-file. Drop one of them.',
    );
  }
  const creds: NewCredentials = await readCredentialsOption(exchange, profile, options);
  assertValidNew(exchange, profile, creds);
  if (creds.apiKey === oldKey) {
    printError(
      `${err.red('error')} the new ${names.key} is the key already stored: create a new key on ${apiManagementPage(exchange)} first.`,
    );
    throw new CommandFailed(EXIT.failed);
  }

  if (options.verify) {
    const candidate: Record<string, string> = {
      [names.key]: creds.apiKey,
      [names.secret]: creds.apiSecret,
    };
    if (creds.passphrase !== undefined) candidate[names.passphrase] = creds.passphrase;
    const endpoint = endpointFrom(options, { ...current, ...process.env });
    printError(describeTarget(endpoint, options, store.location));
    const progress = startProgress(
      `Verifying the new ${exchange} key ${maskKey(creds.apiKey)} live`,
    );
    const [result] = await verifyMany(candidate, [{ exchange, profile }], endpoint, {
      purpose: options.purpose,
      allowPermissions: parseAllowPermissions(options.allowPermission),
      acceptUnchecked: options.acceptUnchecked ?? [],
    }).finally(() => progress.stop());
    printLiveResults(result ? [result] : []);
    if (!result?.ok) {
      printError(`${err.red('✖')} The new key was not saved; ${store.location} is unchanged.`);
      throw new CommandFailed(EXIT.failed);
    }
  } else {
    printError(
      `${err.yellow('warning')} --no-verify: the new key was not checked with ${exchange}.`,
    );
  }

  await updateApiKey(exchange, creds, { ...store.target, profile, env: {} });
  print(
    `${out.green('✔')} ${exchange} (${profile}) now uses key ${maskKey(creds.apiKey)} in ${store.location}`,
  );
  print(
    `${out.bold('Now delete the OLD key')} ${maskKey(oldKey)} on ${exchange}: ${apiManagementPage(exchange)}`,
  );
  print('  Until you do, anyone holding a copy of it can still use it.');
}
