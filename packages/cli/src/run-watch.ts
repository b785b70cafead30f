/**
 * `exkeys run --watch`: watch the store's keys while the command runs, and restart the command (or
 * send it a signal) when a rotated key has settled and passed validation.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { type CredentialWatcher, maskKey, watchCredentials } from '@exkeys/credentials';
import { UsageError } from './exit-codes.js';
import type { ConfiguredPair, SelectedStore } from './store-selection.js';
import { printError } from './terminal.js';

/** What `--on-change` asks for: restart the command, or send it this signal. */
export type OnChange = 'restart' | NodeJS.Signals;

// Signals that cannot ask a process to reload: they stop or kill it.
const NOT_A_RELOAD = new Set(['SIGKILL', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

/**
 * Reads `--on-change` (`restart`, or a signal such as `SIGHUP`, `HUP`, `SIGUSR1`).
 * @returns `undefined` without `--watch`.
 * @throws {UsageError} for `--on-change` without `--watch`, or an unknown or unsuitable signal.
 */
export function parseOnChange(watch: boolean, value: string | undefined): OnChange | undefined {
  if (!watch) {
    if (value !== undefined) throw new UsageError('--on-change needs --watch.');
    return undefined;
  }
  if (value === undefined || value === 'restart') return 'restart';
  const upper = value.toUpperCase();
  const signal = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
  if (!(signal in constants.signals) || NOT_A_RELOAD.has(signal)) {
    throw new UsageError(
      `--on-change takes restart or a signal the command reloads on, such as SIGHUP or SIGUSR1 (not ${JSON.stringify(value.slice(0, 20))}).`,
    );
  }
  return signal;
}

/**
 * Watches the keys of every exchange/profile in `pairs` and calls `changed` after each settled,
 * validated change. A change that leaves invalid keys is reported on stderr and not acted on.
 * @returns a function that stops watching.
 * @throws {UsageError} when `pairs` is empty: there is nothing to watch.
 */
export async function watchRunKeys(
  store: SelectedStore,
  pairs: readonly ConfiguredPair[],
  changed: (what: string) => void,
): Promise<() => Promise<void>> {
  if (pairs.length === 0) {
    throw new UsageError(
      `--watch found no exchange keys in ${store.location}: add some with \`exkeys set\`, or check --exchange and the store flags.`,
    );
  }
  const watchers: CredentialWatcher[] = [];
  try {
    for (const { exchange, profile } of pairs) {
      watchers.push(
        await watchCredentials(exchange, {
          ...store.target,
          profile,
          onChange: (creds) =>
            changed(`${exchange} (profile ${profile}) now has key ${maskKey(creds.apiKey)}`),
          onError: (error) =>
            printError(`exkeys run: keeping the command as it is: ${error.message}`),
        }),
      );
    }
  } catch (error) {
    await Promise.all(watchers.map((watcher) => watcher.close()));
    throw error;
  }
  return async () => {
    await Promise.all(watchers.map((watcher) => watcher.close()));
  };
}

/**
 * Asks `child` to stop for a restart (SIGTERM), and kills it if it is still running after
 * `graceMs`.
 */
export function stopForRestart(child: ChildProcess, graceMs = 10_000): void {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}
