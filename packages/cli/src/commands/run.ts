/**
 * `exkeys run -- <command…>`: start a command with the keys in its environment only, forward signals
 * to it, and exit with its exit code. Like `dotenvx run` and `op run`. With `--watch` a rotated key
 * restarts the command, or sends it the `--on-change` signal (see `run-watch.ts`).
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { AGE_KEY_VARIABLES, normalizeExchange, parseVariableName } from '@exkeys/credentials';
import { CommandFailed, UsageError } from '../exit-codes.js';
import type { StoreOptions } from '../options.js';
import { parseOnChange, stopForRestart, watchRunKeys } from '../run-watch.js';
import { configuredPairs, loadPrivateEnv, selectStore } from '../store-selection.js';
import { printError } from '../terminal.js';

/** Options of `exkeys run`. */
export interface RunOptions extends StoreOptions {
  /** Only inject these exchanges' variables. */
  exchange?: string[];
  /** Watch the store and act on a rotated key. */
  watch?: boolean;
  /** With `watch`: `restart` (the default), or a signal to send, e.g. `SIGHUP`. */
  onChange?: string;
}

// Every signal a terminal or a supervisor sends to ask a process something.
const FORWARDED: readonly NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
];

// The keystore's master key: with it a child could open every key in the keystore, not just its own.
const MASTER_KEY_VARIABLES: readonly string[] = Object.values(AGE_KEY_VARIABLES);

/** The credential variable a name (or its `_FILE` form) belongs to, if it is one. */
function credentialOf(name: string) {
  return (
    parseVariableName(name) ??
    (name.endsWith('_FILE') ? parseVariableName(name.slice(0, -5)) : undefined)
  );
}

/**
 * The child's environment: the shell's, without the keystore's master key and, with `--exchange`,
 * without other exchanges' credentials; plus the store's variables the shell does not set.
 */
function childEnvironment(
  loaded: Record<string, string | undefined>,
  only: ReadonlySet<string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of MASTER_KEY_VARIABLES) delete env[name];
  if (only.size > 0) {
    for (const name of Object.keys(env)) {
      const parsed = credentialOf(name);
      if (parsed !== undefined && !only.has(parsed.exchange)) delete env[name];
    }
  }
  for (const [name, value] of Object.entries(loaded)) {
    if (value === undefined || MASTER_KEY_VARIABLES.includes(name)) continue;
    const parsed = parseVariableName(name);
    if (only.size > 0 && (parsed === undefined || !only.has(parsed.exchange))) continue;
    // The shell wins, as with loadApiKeys: an explicit variable is never overridden by the file.
    if (env[name] === undefined) env[name] = value;
  }
  return env;
}

// Runs beside exkeys with no secret in its environment. When exkeys dies without saying "done"
// (SIGKILL, OOM), its end of the pipe closes and the watchdog ends the child, so the child never
// runs on with the secrets unsupervised.
const WATCHDOG = `
const pid = Number(process.argv[1]);
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) process.on(s, () => {});
let said = '';
process.stdin.on('data', (d) => { said += d; });
process.stdin.on('close', () => {
  if (said.includes('done')) process.exit(0);
  try { process.kill(pid, 'SIGTERM'); } catch { process.exit(0); }
  setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); }, 5000).unref();
  const poll = setInterval(() => { try { process.kill(pid, 0); } catch { process.exit(0); } }, 100);
  poll.unref?.();
});
`;

function startWatchdog(child: ChildProcess): ChildProcess | undefined {
  if (child.pid === undefined) return undefined;
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(child.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    env: {},
    detached: true,
  });
  watchdog.on('error', () => {});
  watchdog.unref();
  return watchdog;
}

/** Runs `exkeys run`. */
export async function runCommand(command: string[], options: RunOptions): Promise<void> {
  const [file, ...args] = command;
  if (file === undefined)
    throw new UsageError('Give the command to run after --, e.g. exkeys run -- node bot.js');
  const only = new Set((options.exchange ?? []).map((exchange) => normalizeExchange(exchange)));
  const onChange = parseOnChange(options.watch === true, options.onChange);
  const store = await selectStore(options);
  const loaded = await loadPrivateEnv(store);
  let childEnv = childEnvironment(loaded, only);

  let child: ChildProcess | undefined;
  let restarting = false;
  const stopWatching =
    onChange === undefined
      ? undefined
      : await watchRunKeys(store, configuredPairs(loaded, options.exchange), (what) => {
          const action = onChange === 'restart' ? 'restarting the command' : `sending ${onChange}`;
          printError(`exkeys run: ${what}; ${action}`);
          if (child === undefined) return;
          if (onChange !== 'restart') child.kill(onChange);
          else if (!restarting) {
            restarting = true;
            stopForRestart(child);
          }
        });
  child = spawn(file, args, { stdio: 'inherit', env: childEnv });
  let watchdog = startWatchdog(child);
  const forward = (signal: NodeJS.Signals) => {
    child?.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  for (;;) {
    exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child?.on('error', (error: NodeJS.ErrnoException) => {
        printError(
          error.code === 'ENOENT'
            ? `exkeys run: command not found: ${file}`
            : `exkeys run: cannot start ${file}: ${error.message}`,
        );
        resolve({ code: error.code === 'ENOENT' ? 127 : 126, signal: null });
      });
      child?.on('exit', (code, signal) => resolve({ code, signal }));
    });
    if (!restarting) break;
    // --watch restart: the same command, with the store as it is now.
    restarting = false;
    await new Promise<void>((done) =>
      watchdog?.stdin ? watchdog.stdin.end('done', done) : done(),
    );
    childEnv = childEnvironment(await loadPrivateEnv(store), only);
    child = spawn(file, args, { stdio: 'inherit', env: childEnv });
    watchdog = startWatchdog(child);
  }
  await stopWatching?.();
  for (const signal of FORWARDED) process.off(signal, forward);
  await new Promise<void>((done) => (watchdog?.stdin ? watchdog.stdin.end('done', done) : done()));
  if (exit.signal !== null) {
    // Die the way the child died, so the parent shell sees the same signal.
    process.kill(process.pid, exit.signal);
    throw new CommandFailed(128 + (constants.signals[exit.signal] ?? 1));
  }
  if (exit.code !== 0) throw new CommandFailed(exit.code ?? 1);
}
