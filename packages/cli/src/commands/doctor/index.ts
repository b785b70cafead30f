/**
 * `exkeys doctor`: key hygiene. Secret files ignored by git, untracked, absent from history, mode
 * 0600 (`file-checks.ts`); keys valid and not stale (`key-checks.ts`), not shared
 * (`shared-checks.ts`); with `--live`, no key able to withdraw (`live-checks.ts`). Every finding says
 * how to fix it (`render.ts`) and has a stable id (`finding.ts`); with `--live`, keys expiring within
 * `--expires-within` days fail and unbound keys that may lapse warn (`key-expiry.ts`, shared with `verify`). `--notify`
 * posts the findings to a webhook (`notify.ts`). Any failure exits 1.
 * @module
 */
import { relative, resolve } from 'node:path';
import type { DoctorFinding } from '../../doctor-finding.js';
import { CommandFailed, EXIT } from '../../exit-codes.js';
import {
  type AllowPermissionOptions,
  type EndpointOptions,
  type HealthOptions,
  type MaxAgeOptions,
  parseDays,
  parseMaxAge,
  type StoreOptions,
} from '../../options.js';
import { loadPrivateEnv, selectStore } from '../../store-selection.js';
import { err, printError } from '../../terminal.js';
import { checkFile } from './file-checks.js';
import { checkKeys } from './key-checks.js';
import { checkLive } from './live-checks.js';
import { notification, parseNotifyUrl, postNotification } from './notify.js';
import { printFindings } from './render.js';

export type { DoctorFinding } from '../../doctor-finding.js';

/** Options of `exkeys doctor`. */
export interface DoctorOptions
  extends StoreOptions,
    EndpointOptions,
    MaxAgeOptions,
    HealthOptions,
    AllowPermissionOptions {
  /** Also verify keys live. */
  live?: boolean;
}

/** Runs `exkeys doctor`. */
export async function doctorCommand(options: DoctorOptions): Promise<void> {
  const maxAge = parseMaxAge(options.maxAge);
  const expiresWithin = parseDays(options.expiresWithin ?? '14', '--expires-within', 14);
  const notifyUrl = options.notify === undefined ? undefined : parseNotifyUrl(options.notify);
  const store = await selectStore(options);
  const findings: DoctorFinding[] = [];
  // The .env file and its default keystore are checked whichever store is in use: after
  // `exkeys encrypt`, a .env committed long ago still leaks from the history.
  const envFile = resolve(options.envFile);
  const files = new Set([...store.files, envFile, `${envFile}.age`]);
  for (const file of files) {
    const found = await checkFile(file, relative(process.cwd(), file) || file);
    const extra = !store.files.includes(file) && found[0]?.check === 'exists';
    // An absent file outside the store in use is only worth a line when its history leaks.
    findings.push(...(extra ? found.filter((finding) => finding.status !== 'pass') : found));
  }
  const env = await loadPrivateEnv(store);
  findings.push(...(await checkKeys(store, env, maxAge)));
  if (options.live) findings.push(...(await checkLive(env, options, expiresWithin)));

  const failures = printFindings(findings, options.json === true);
  if (notifyUrl !== undefined) {
    try {
      await postNotification(notifyUrl, notification(findings, env));
    } catch (error) {
      printError(`${err.red('✖')} ${(error as Error).message}`);
      throw new CommandFailed(EXIT.failed);
    }
  }
  if (failures > 0) throw new CommandFailed(EXIT.failed);
}
