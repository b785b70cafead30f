/**
 * Watching a store: a running bot learns of a rotated key without a restart. Changes are reported
 * only once the store has settled and the new values pass `getCredentials`.
 * @module
 */
import { type FSWatcher, watch } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { CredentialsError, ExkeysError } from './errors.js';
import { loadApiKeys } from './load.js';
import { getCredentials } from './retrieve.js';
import type { CredentialStore } from './stores/store.js';
import { type StoreOption, storeFrom } from './stores/store-option.js';
import type { ValidatedCredentials } from './validated-credentials.js';

/** Options of {@link watchCredentials}. */
export interface WatchOptions<E extends string> extends StoreOption {
  /**
   * Named profile, as for `getCredentials`.
   * @default 'default'
   */
  profile?: string;
  /**
   * Called with the new credentials after each settled, validated change (not for the state found
   * at start). The watcher waits for it to return before it looks at the store again.
   */
  onChange: (creds: ValidatedCredentials<Lowercase<E>>) => void | Promise<void>;
  /**
   * Called when the store settles in a state that cannot be used: invalid credentials
   * (`CredentialsError` `invalid-credentials`), an unreadable store, a lost file watch (`io`), or an
   * error thrown by `onChange`. The watcher keeps running and keeps the last good credentials.
   * Once per distinct problem.
   * @default prints the message (never a secret) with `console.warn`
   */
  onError?: (error: Error) => void;
  /**
   * Quiet time (ms) after the last file event before the store is read, and again between the two
   * reads that must agree before a change counts. A write still in progress after this long could
   * be read as settled, so raise it for slow writers.
   * @default 150
   */
  debounceMs?: number;
  /**
   * Also re-read the store every this many ms, for file systems that send no change events (NFS,
   * some container bind mounts). `0` turns polling off. The OS keychain sends no events, so it is
   * always polled.
   * @default 0 for files and directories, 30000 for the keychain
   */
  pollIntervalMs?: number;
}

/** A running watch, from {@link watchCredentials}. */
export interface CredentialWatcher<E extends string = string> {
  /** The credentials last reported, or found valid at start; `undefined` when none were valid yet. */
  readonly current: ValidatedCredentials<Lowercase<E>> | undefined;
  /** What is watched: the file or directory of the store. */
  readonly location: string;
  /** Stops watching. No `onChange` or `onError` call starts after it resolves. */
  close(): Promise<void>;
}

type Reading<E extends string> =
  | { ok: true; creds: ValidatedCredentials<Lowercase<E>> }
  | { ok: false; error: Error };

/** Reads the store into a private object and validates; never touches `process.env`. */
async function readCredentials<E extends string>(
  exchange: E,
  store: CredentialStore,
  profile: string | undefined,
): Promise<Reading<E>> {
  try {
    const env: Record<string, string | undefined> = {};
    await loadApiKeys({ stores: [store], target: env });
    return { ok: true, creds: getCredentials(exchange, { profile, env }) };
  } catch (error) {
    return { ok: false, error: asError(error, store) };
  }
}

function asError(error: unknown, store: CredentialStore): Error {
  if (ExkeysError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException)?.code ?? 'unknown error';
  return new CredentialsError(
    'io',
    `Cannot read the ${store.kind} store ${store.location} (${code}). Check that it exists and is readable by this user.`,
    { cause: error },
  );
}

function sameCredentials(a: ValidatedCredentials, b: ValidatedCredentials): boolean {
  return a.apiKey === b.apiKey && a.apiSecret === b.apiSecret && a.passphrase === b.passphrase;
}

/** A directory to watch and which of its entries matter (`undefined`: all of them). */
interface WatchTarget {
  dir: string;
  entry: string | undefined;
}

async function watchTargets(store: CredentialStore): Promise<WatchTarget[]> {
  // A directory store changes through any entry: a file, or Kubernetes' `..data` symlink swap.
  if (store.kind === 'secret-files') return [{ dir: store.location, entry: undefined }];
  // A file store is replaced by an atomic rename, which gives it a new inode: watch its directory.
  const targets = [{ dir: dirname(store.location), entry: basename(store.location) }];
  // A `.env` that is a symlink changes where it points: watch the target's directory too.
  const real = await realpath(store.location).catch(() => undefined);
  if (real !== undefined && real !== resolve(store.location))
    targets.push({ dir: dirname(real), entry: basename(real) });
  return targets;
}

/**
 * Watches the store of `exchange`'s credentials and calls `onChange` with each new, validated set,
 * so that a running bot picks up `exkeys rotate` without a restart (pass the credentials to
 * `updateBybitClient` and the like).
 *
 * Works with the `.env` file, the age keystore and secret-files directories (Docker, Kubernetes:
 * the directory is watched, so `..data` symlink swaps and atomic renames are seen), and polls the
 * OS keychain. After a file event the watcher waits `debounceMs` of quiet, reads the store twice
 * `debounceMs` apart and reports only when both reads agree and pass `getCredentials`: a torn
 * or invalid write is never reported through `onChange` (a settled invalid state goes to `onError`).
 * The environment is not changed.
 *
 * @returns once the current state is read and the watch is in place.
 * @throws {CredentialsError} `io` when the file's directory (or the secrets directory) does not
 *   exist, or cannot be watched.
 * @example
 * ```ts
 * const watcher = await watchCredentials('bybit', {
 *   envFile: '.env',
 *   onChange: (creds) => updateBybitClient(client, creds),
 * });
 * // later: await watcher.close();
 * ```
 */
export async function watchCredentials<E extends string>(
  exchange: E,
  options: WatchOptions<E>,
): Promise<CredentialWatcher<E>> {
  const store = storeFrom(options);
  const { profile, onChange } = options;
  const onError =
    options.onError ?? ((error: Error) => console.warn(`exkeys watch: ${error.message}`));
  const debounceMs = options.debounceMs ?? 150;
  const pollIntervalMs = options.pollIntervalMs ?? (store.kind === 'keychain' ? 30_000 : 0);

  const initial = await readCredentials(exchange, store, profile);
  let current = initial.ok ? initial.creds : undefined;
  let lastProblem: string | undefined;
  let closed = false;
  let generation = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const report = (error: Error) => {
    if (closed || error.message === lastProblem) return;
    lastProblem = error.message;
    onError(error);
  };

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function settle(): Promise<void> {
    const seen = generation;
    const first = await readCredentials(exchange, store, profile);
    await sleep(debounceMs);
    if (closed || seen !== generation) return schedule();
    const second = await readCredentials(exchange, store, profile);
    if (closed || seen !== generation) return schedule();
    if (first.ok && second.ok) {
      // Two reads apart that disagree: a writer is still at work.
      if (!sameCredentials(first.creds, second.creds)) return schedule();
      lastProblem = undefined;
      if (current !== undefined && sameCredentials(current, second.creds)) return;
      current = second.creds;
      try {
        await onChange(second.creds);
      } catch (error) {
        report(error instanceof Error ? error : new Error(String(error)));
      }
      return;
    }
    if (!first.ok && !second.ok && first.error.message === second.error.message) {
      report(second.error);
      return;
    }
    schedule();
  }

  function run(): void {
    timer = undefined;
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = settle().finally(() => {
      running = undefined;
      if (again && !closed) {
        again = false;
        schedule();
      }
    });
  }

  function schedule(): void {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  }

  const changed = () => {
    generation++;
    schedule();
  };

  const watchers: FSWatcher[] = [];
  let poll: NodeJS.Timeout | undefined;
  const startPolling = (every: number) => {
    if (poll === undefined && every > 0) poll = setInterval(changed, every);
  };
  const lost = (dir: string, watcher: FSWatcher, error: unknown) => {
    watcher.close();
    const every = pollIntervalMs || 5_000;
    report(
      new CredentialsError(
        'io',
        `Stopped watching ${dir} (${(error as NodeJS.ErrnoException).code ?? 'it was removed'}); re-reading ${store.location} every ${every / 1000} s instead.`,
        { cause: error },
      ),
    );
    startPolling(every);
  };
  const targets = store.kind === 'keychain' ? [] : await watchTargets(store);
  for (const { dir, entry } of targets) {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) {
      for (const watcher of watchers) watcher.close();
      throw new CredentialsError(
        'io',
        `Cannot watch ${store.location}: the directory ${dir} does not exist. Create it, or point the watch at the store the bot loads.`,
      );
    }
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        // No name: the OS could not say which entry changed, so it may be ours.
        if (entry === undefined || name === null || name === entry) changed();
      });
    } catch (error) {
      for (const other of watchers) other.close();
      throw new CredentialsError(
        'io',
        `Cannot watch ${dir} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}). Raise the inotify watch limit (fs.inotify.max_user_watches) or pass pollIntervalMs.`,
        { cause: error },
      );
    }
    watcher.on('error', (error) => lost(dir, watcher, error));
    watchers.push(watcher);
  }
  // Like a server socket, the watch keeps the process alive until close().
  startPolling(pollIntervalMs);

  return {
    get current() {
      return current;
    },
    location: store.location,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      for (const watcher of watchers) watcher.close();
      await running;
    },
  };
}
