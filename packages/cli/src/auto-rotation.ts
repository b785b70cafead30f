/**
 * `exkeys rotate <exchange> --auto`: the core's `rotateKey` with the exchange package's key
 * manager (imported only when needed, as they load ccxt), reporting each step as it happens, or as
 * one JSON document with `--json`.
 * @module
 */
import {
  CredentialsError,
  isAdminProfile,
  KeyRotationError,
  KeyVerificationError,
  normalizeExchange,
  normalizeProfile,
  UnsafeKeyError,
} from '@exkeys/credentials';
import type { KeyManager, RotationEvent, RotationResult } from '@exkeys/credentials/exchange';
import { CommandFailed, EXIT, UsageError } from './exit-codes.js';
import { describeTarget, endpointFrom } from './live-verification.js';
import type { AutoRotateOptions } from './options.js';
import { loadPrivateEnv, profileOf, selectStore } from './store-selection.js';
import { err, out, print, printError, printJson } from './terminal.js';

const MANAGERS: Readonly<Record<string, () => Promise<KeyManager>>> = {
  binance: async () => (await import('@exkeys/binance')).binanceKeyManager as KeyManager,
  bybit: async () => (await import('@exkeys/bybit')).bybitKeyManager as KeyManager,
  okx: async () => (await import('@exkeys/okx')).okxKeyManager as KeyManager,
};

/** Exchanges `rotate --auto` can rotate through their sub-account key API. */
export const AUTO_ROTATABLE_EXCHANGES: readonly string[] = Object.keys(MANAGERS);

function parseGrace(value: string | undefined): number {
  if (value === undefined) return 30;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(seconds) || seconds > 86_400) {
    throw new UsageError(
      `--grace takes a number of seconds from 0 to 86400 (got ${JSON.stringify(value)}).`,
    );
  }
  return seconds;
}

/** Runs `exkeys rotate <exchange> --auto` (and `--resume`). */
export async function autoRotate(exchangeArg: string, options: AutoRotateOptions): Promise<void> {
  const exchange = normalizeExchange(exchangeArg);
  const load = MANAGERS[exchange];
  if (load === undefined) {
    throw new UsageError(
      `rotate --auto works through an exchange's sub-account key API, which exkeys supports for ${AUTO_ROTATABLE_EXCHANGES.join(', ')}; rotate ${exchange} keys with \`exkeys rotate ${exchange}\` (without --auto).`,
    );
  }
  const graceSeconds = parseGrace(options.grace);
  // Bad names are usage errors (exit 2), found before anything is read.
  const profile = normalizeProfile(profileOf(options));
  const adminProfile = normalizeProfile(options.adminProfile ?? 'ADMIN');
  if (!isAdminProfile(adminProfile)) {
    throw new UsageError(
      `--admin-profile must name an admin profile: ADMIN, or a profile starting with ADMIN such as ADMIN2 (got ${adminProfile}). Admin profiles are never loaded by bots.`,
    );
  }
  const store = await selectStore(options);
  const current = await loadPrivateEnv(store);
  const endpoint = endpointFrom(options, { ...current, ...process.env });
  const { region, ...common } = endpoint;
  const clientOptions = exchange === 'okx' && region ? { ...common, region } : common;
  if (!options.json) printError(describeTarget(endpoint, options, store.location));

  const events: RotationEvent[] = [];
  const { rotateKey } = await import('@exkeys/credentials/exchange');
  let result: RotationResult;
  try {
    result = await rotateKey({
      manager: await load(),
      ...store.target,
      profile,
      adminProfile,
      graceSeconds,
      allowNoIp: options.allowNoIp === true,
      dryRun: options.dryRun === true,
      resume: options.resume === true,
      clientOptions,
      onStep: (event) => {
        events.push(event);
        if (!options.json)
          print(`${event.status === 'done' ? out.green('✔') : out.dim('→')} ${event.message}`);
      },
    });
  } catch (error) {
    const failure = describeFailure(error);
    if (options.json) printJson({ ok: false, exchange, steps: events, error: failure });
    else printError(`${err.red('✖')} ${failure.message}`);
    throw new CommandFailed(EXIT.failed);
  }
  if (options.json) {
    printJson({ ok: true, ...result, steps: events });
    return;
  }
  switch (result.outcome) {
    case 'planned':
      print(out.bold('Plan (nothing was changed):'));
      for (const [index, line] of (result.plan ?? []).entries()) print(`  ${index + 1}. ${line}`);
      break;
    case 'rotated':
      print(
        `${out.green('✔')} ${exchange} (${result.profile}) rotated: ${result.oldKey} → ${result.newKey}, same permissions (${result.grants.join(', ')}) and IP whitelist (${result.ips.join(', ') || 'none'}).`,
      );
      if (result.dropped.length > 0)
        print(`  Not copied (fund-moving): ${result.dropped.join(', ')}.`);
      break;
    case 'finished':
      print(
        `${out.green('✔')} Finished the unfinished rotation: the store holds ${result.newKey}.`,
      );
      break;
    case 'rolled-back':
      print(
        `${out.green('✔')} Rolled back the unfinished rotation: the store keeps ${result.oldKey}.`,
      );
      break;
    case 'nothing-to-resume':
      print(`${out.green('✔')} No unfinished rotation of ${exchange} (${result.profile}).`);
      break;
  }
}

/** A failure as reported: code, reason and step to switch on, and a message without secrets. */
function describeFailure(error: unknown): {
  code: string;
  reason?: string;
  step?: string;
  message: string;
} {
  const message = error instanceof Error ? error.message : String(error);
  if (KeyRotationError.isInstance(error)) {
    return {
      code: error.code,
      reason: error.reason,
      ...(error.step ? { step: error.step } : {}),
      message,
    };
  }
  if (KeyVerificationError.isInstance(error))
    return { code: error.code, reason: error.reason, message };
  if (UnsafeKeyError.isInstance(error))
    return { code: error.code, reason: error.reasons.join(','), message };
  if (CredentialsError.isInstance(error)) return { code: error.code, message };
  return { code: 'error', message };
}
