/**
 * `exkeys sandbox`: the loopback exchange with demo keys, up until SIGINT/SIGTERM. Optionally writes
 * the demo keys to a new env file so the example bot and `exkeys verify` can use them.
 * @module
 */
import { resolve } from 'node:path';
import { dotenvStore, loadApiKeys, parseVariableName, variableNames } from '@exkeys/credentials';
import { CommandFailed, EXIT, UsageError } from '../exit-codes.js';
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

/** The profile holding the withdraw-enabled demo keys, which verification must refuse. */
const WITHDRAW_PROFILE = 'WITHDRAW';

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
  const { demoKeys, startSandbox } = await import('@exkeys/sandbox');
  const keys = demoKeys();

  const changes: Record<string, string> = {};
  for (const key of keys) {
    const profile = key.permissions?.withdraw ? WITHDRAW_PROFILE : undefined;
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
  if (options.writeEnv !== undefined) {
    const now = new Date().toISOString();
    const keyNames = Object.keys(changes).filter((name) => name.endsWith('_API_KEY'));
    await dotenvStore(resolve(options.writeEnv)).write(
      { ...changes, EXKEYS_BASE_URL: sandbox.url },
      { rotatedAt: Object.fromEntries(keyNames.map((name) => [name, now])) },
    );
  }
  print(
    `${out.green('✔')} exkeys sandbox listening on ${out.bold(sandbox.url)} (Bybit v5, Binance spot, OKX v5)`,
  );
  if (options.writeEnv !== undefined) {
    print(
      `  Demo keys written to ${options.writeEnv} (mode 0600): trade keys in the default profile, withdraw-enabled keys in profile ${WITHDRAW_PROFILE} (verification must refuse them).`,
    );
    print('');
    print('Point the example bot at it (EXKEYS_EXCHANGE: bybit, binance or okx):');
    print(
      `  EXKEYS_BASE_URL=${sandbox.url} EXKEYS_ENV_FILE=${options.writeEnv} EXKEYS_EXCHANGE=bybit node apps/example-bot/dist/main.js`,
    );
    print(
      `  (the bot also reads EXKEYS_TESTNET and EXKEYS_DEMO; EXKEYS_BASE_URL is in ${options.writeEnv} too, for \`exkeys run --env-file ${options.writeEnv}\`)`,
    );
    print('Verify the demo keys:');
    print(`  exkeys verify --env-file ${options.writeEnv} --base-url ${sandbox.url}`);
  } else {
    print('');
    print('Point the example bot at it (with demo keys in its EXKEYS_ENV_FILE):');
    print(`  EXKEYS_BASE_URL=${sandbox.url} node apps/example-bot/dist/main.js`);
    print('Get the demo keys into an env file with --write-env .env.sandbox.');
  }
  print('Press Ctrl+C to stop.');

  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  await sandbox.close();
  printError(`Sandbox stopped (${signal}).`);
}
