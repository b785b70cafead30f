/**
 * `exkeys run -- <command…>`: start a command with the keys in its environment only, forward signals
 * to it, and exit with its exit code. Like `dotenvx run` and `op run`.
 * @module
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { normalizeExchange, parseVariableName } from '@exkeys/credentials';
import { CommandFailed, UsageError } from '../exit-codes.js';
import type { StoreOptions } from '../options.js';
import { loadPrivateEnv, selectStore } from '../store-selection.js';
import { printError } from '../terminal.js';

/** Options of `exkeys run`. */
export interface RunOptions extends StoreOptions {
  /** Only inject these exchanges' variables. */
  exchange?: string[];
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs `exkeys run`. */
export async function runCommand(command: string[], options: RunOptions): Promise<void> {
  const [file, ...args] = command;
  if (file === undefined)
    throw new UsageError('Give the command to run after --, e.g. exkeys run -- node bot.js');
  const only = new Set((options.exchange ?? []).map((exchange) => normalizeExchange(exchange)));
  const store = await selectStore(options);
  const loaded = await loadPrivateEnv(store);
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(loaded)) {
    if (value === undefined) continue;
    const parsed = parseVariableName(name);
    if (only.size > 0 && (parsed === undefined || !only.has(parsed.exchange))) continue;
    // The shell wins, as with loadApiKeys: an explicit variable is never overridden by the file.
    if (childEnv[name] === undefined) childEnv[name] = value;
  }

  const child = spawn(file, args, { stdio: 'inherit', env: childEnv });
  const forward = (signal: NodeJS.Signals) => {
    child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => {
      child.on('error', (error: NodeJS.ErrnoException) => {
        printError(
          error.code === 'ENOENT'
            ? `exkeys run: command not found: ${file}`
            : `exkeys run: cannot start ${file}: ${error.message}`,
        );
        resolve({ code: error.code === 'ENOENT' ? 127 : 126, signal: null });
      });
      child.on('exit', (code, signal) => resolve({ code, signal }));
    },
  );
  for (const signal of FORWARDED) process.off(signal, forward);
  if (exit.signal !== null) {
    // Die the way the child died, so the parent shell sees the same signal.
    process.kill(process.pid, exit.signal);
    throw new CommandFailed(128 + (constants.signals[exit.signal] ?? 1));
  }
  if (exit.code !== 0) throw new CommandFailed(exit.code ?? 1);
}
