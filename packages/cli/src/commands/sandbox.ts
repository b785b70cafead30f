/**
 * `exkeys sandbox`: the loopback exchange with demo keys, up until SIGINT/SIGTERM. Optionally writes
 * the demo keys to a new env file so the example bot and `exkeys verify` can use them.
 * @module
 */

import { basename, dirname, join, resolve } from 'node:path';
import { dotenvStore, loadApiKeys, parseVariableName, variableNames } from '@exkeys/credentials';
import { CommandFailed, EXIT, UsageError } from '../exit-codes.js';
import { ensureIgnored } from '../gitignore.js';
import { EXKEYS_COMMAND } from '../messages.js';
import { err, out, print, printError } from '../terminal.js';

/** Options of `exkeys sandbox`. */
export interface SandboxCommandOptions {
  /** Port on 127.0.0.1; a free one when unset. */
  port?: string;
  /** Response delay in ms. */
  latency: string;
  /** Env file to write the demo keys to. */
  writeEnv?: string;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(
      `--port takes a port number from 0 to 65535 (got ${JSON.stringify(value)}).`,
    );
  }
  return port;
}

/** Runs `exkeys sandbox`. */
export async function sandboxCommand(options: SandboxCommandOptions): Promise<void> {
  const port = parsePort(options.port);
  const latencyMs = Number(options.latency);
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new UsageError('--latency takes a number of milliseconds, such as 50.');
  }
  const { demoKeys, demoSubAccountKeys, startSandbox } = await import('@exkeys/sandbox');
  const keys = [...demoKeys(), ...demoSubAccountKeys()];

  const changes: Record<string, string> = {};
  for (const key of keys) {
    const { profile } = key;
    const names = variableNames(key.exchange, profile);
    changes[names.key] = key.apiKey;
    changes[names.secret] = key.apiSecret;
    if (key.passphrase !== undefined) changes[names.passphrase] = key.passphrase;
  }
  if (options.writeEnv !== undefined) {
    // Never let demo keys replace real ones: only a file holding nothing but demo keys is reused.
    const existing: Record<string, string | undefined> = {};
    await loadApiKeys({ envFile: resolve(options.writeEnv), target: existing });
    const demoValues = new Set(Object.values(changes));
    const real = Object.entries(existing).filter(
      ([name, value]) => parseVariableName(name) && value && !demoValues.has(value),
    );
    if (real.length > 0) {
      printError(
        `${err.red('error')} ${options.writeEnv} already holds keys that are not sandbox demo keys (${real.map(([name]) => name).join(', ')}); pick another file, e.g. --write-env .env.sandbox.`,
      );
      throw new CommandFailed(EXIT.failed);
    }
  }

  const sandbox = await startSandbox({ keys, port, latencyMs });
  // Listen before saying "Press Ctrl+C", so a Ctrl+C right after it stops the sandbox cleanly.
  const stopped = new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  if (options.writeEnv !== undefined) {
    const now = new Date().toISOString();
    const keyNames = Object.keys(changes).filter((name) => name.endsWith('_API_KEY'));
    await dotenvStore(resolve(options.writeEnv)).write(
      { ...changes, EXKEYS_BASE_URL: sandbox.url },
      { rotatedAt: Object.fromEntries(keyNames.map((name) => [name, now])) },
    );
    // The file holds keys (demo ones, but the habit matters): keep it out of git.
    const file = resolve(options.writeEnv);
    const ignored = await ensureIgnored(join(dirname(file), '.gitignore'), [basename(file)]);
    if (ignored.length > 0)
      print(`  Added ${basename(file)} to ${join(dirname(options.writeEnv), '.gitignore')}.`);
  }
  print(
    `${out.green('✔')} exkeys sandbox listening on ${out.bold(sandbox.url)} (Bybit v5, Binance spot, OKX v5, Coinbase Advanced Trade v3, KuCoin spot, Kraken spot)`,
  );
  if (options.writeEnv !== undefined) {
    print(
      `  Demo keys written to ${options.writeEnv} (mode 0600): trade keys in the default profile, withdraw-enabled keys in profile WITHDRAW, Bybit's P2P key in profile PAYOUT (verification must refuse both); for rotate --auto, each exchange's master key in profile ADMIN and a sub-account bot key in profile BOT.`,
    );
    print('');
    print(
      'Run your bot against it (the file also sets EXKEYS_BASE_URL, which the starter bot reads):',
    );
    print(`  ${EXKEYS_COMMAND} run --env-file ${options.writeEnv} -- npm start`);
    print('Verify the demo keys (verify reads EXKEYS_BASE_URL from the file):');
    print(`  ${EXKEYS_COMMAND} verify --env-file ${options.writeEnv}`);
    print(
      "Rotate the Bybit BOT key (on a sub-account) with the ADMIN master key, through Bybit's key API:",
    );
    print(
      `  ${EXKEYS_COMMAND} rotate bybit --auto --admin-profile ADMIN --profile BOT --env-file ${options.writeEnv}`,
    );
  } else {
    print('');
    print('Point your bot at it (with demo keys in its env file):');
    print(`  EXKEYS_BASE_URL=${sandbox.url} npm start`);
    print('Get the demo keys into an env file with --write-env .env.sandbox.');
  }
  print('Press Ctrl+C to stop.');

  const signal = await stopped;
  await sandbox.close();
  printError(`Sandbox stopped (${signal}).`);
}
