/**
 * `exkeys run -- <command…>`: start a command with the keys in its environment only, forward signals
 * to it, and exit with its exit code. Like `dotenvx run` and `op run`, the child's stdout and stderr
 * are masked by default: the injected values and request signatures become `[masked:…]`. The child
 * then writes to pipes, not to the terminal (no pseudo-terminal without a native module), so tools
 * that colour or animate only on a terminal go plain; `--no-masking` gives the terminal back. With
 * `--watch` a rotated key restarts the command, or sends it the `--on-change` signal (see
 * `run-watch.ts`).
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import {
  AGE_KEY_VARIABLES,
  isAdminProfile,
  normalizeExchange,
  parseCredentialReference,
  parseVariableName,
} from '@exkeys/credentials';
import { CommandFailed, UsageError } from '../exit-codes.js';
import { configuredValues } from '../leak-rules.js';
import type { StoreOptions } from '../options.js';
import { maskingStream } from '../output-masker.js';
import { parseOnChange, stopForRestart, watchRunKeys } from '../run-watch.js';
import { configuredPairs, loadPrivateEnv, selectStore } from '../store-selection.js';
import { printError } from '../terminal.js';

/** Options of `exkeys run`. */
export interface RunOptions extends StoreOptions {
  /** Only inject these exchanges' variables. */
  exchange?: string[];
  /** Mask the injected values in the child's output (`--no-masking` sets false). @default true */
  masking?: boolean;
  /** Watch the store and act on a rotated key. */
  watch?: boolean;
  /** With `watch`: `restart` (the default), or a signal to send, e.g. `SIGHUP`. */
  onChange?: string;
}

/** What to mask in the child's output: every credential value it can see, in every encoding. */
function maskedValues(env: NodeJS.ProcessEnv): Array<{ name: string; value: string }> {
  const credentials: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && parseVariableName(name) !== undefined) credentials[name] = value;
  }
  return configuredValues(credentials).map((value) => ({
    name: value.variable,
    value: value.needle,
  }));
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
  // Admin profiles hold master keys that manage sub-account keys: never a bot's to see.
  for (const name of Object.keys(env)) {
    if (isAdminProfile(parseCredentialReference(name)?.profile)) delete env[name];
  }
  if (only.size > 0) {
    for (const name of Object.keys(env)) {
      const parsed = parseCredentialReference(name);
      if (parsed !== undefined && !only.has(parsed.exchange)) delete env[name];
    }
  }
  for (const [name, value] of Object.entries(loaded)) {
    if (value === undefined || MASTER_KEY_VARIABLES.includes(name)) continue;
    const parsed = parseVariableName(name);
    if (isAdminProfile(parsed?.profile)) continue;
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
/** A started child and the promises that end when its masked output is written. */
interface Started {
  child: ChildProcess;
  drained: Array<Promise<void>>;
}

/** Starts the command, its output piped through the masker unless masking is off. */
function start(file: string, args: string[], env: NodeJS.ProcessEnv, masking: boolean): Started {
  const child = spawn(file, args, {
    stdio: masking ? ['inherit', 'pipe', 'pipe'] : 'inherit',
    env,
  });
  const drained: Array<Promise<void>> = [];
  if (masking) {
    const values = maskedValues(env);
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ] as const) {
      if (from === null) continue;
      const masked = from.pipe(maskingStream(values));
      masked.pipe(to, { end: false });
      drained.push(
        new Promise((done) => {
          masked.once('end', done);
          masked.once('error', () => done());
        }),
      );
    }
  }
  return { child, drained };
}

/** Writes the child's last output; a grandchild still holding the pipes gets a second, then is cut off. */
async function drain(started: Started): Promise<void> {
  await Promise.race([
    Promise.all(started.drained),
    new Promise((done) => setTimeout(done, 1000).unref()),
  ]);
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
  const masking = options.masking !== false;

  let started: Started | undefined;
  let restarting = false;
  const stopWatching =
    onChange === undefined
      ? undefined
      : await watchRunKeys(store, configuredPairs(loaded, options.exchange), (what) => {
          const action = onChange === 'restart' ? 'restarting the command' : `sending ${onChange}`;
          printError(`exkeys run: ${what}; ${action}`);
          if (started === undefined) return;
          if (onChange !== 'restart') started.child.kill(onChange);
          else if (!restarting) {
            restarting = true;
            stopForRestart(started.child);
          }
        });
  started = start(file, args, childEnv, masking);
  let watchdog = startWatchdog(started.child);
  const forward = (signal: NodeJS.Signals) => {
    started?.child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  for (;;) {
    const { child } = started;
    exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('error', (error: NodeJS.ErrnoException) => {
        printError(
          error.code === 'ENOENT'
            ? `exkeys run: command not found: ${file}`
            : `exkeys run: cannot start ${file}: ${error.message}`,
        );
        resolve({ code: error.code === 'ENOENT' ? 127 : 126, signal: null });
      });
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    await drain(started);
    if (!restarting) break;
    // --watch restart: the same command, with the store as it is now.
    restarting = false;
    await new Promise<void>((done) =>
      watchdog?.stdin ? watchdog.stdin.end('done', done) : done(),
    );
    childEnv = childEnvironment(await loadPrivateEnv(store), only);
    started = start(file, args, childEnv, masking);
    watchdog = startWatchdog(started.child);
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
