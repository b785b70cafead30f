/**
 * Reading new credentials without ever taking them from argv: hidden prompts on a terminal, stdin
 * lines otherwise (key, secret, then the passphrase for exchanges that need one), and an optional
 * `--secret-file` for PEM private keys.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { needsPassphrase, validateCredentials, variableNames } from '@exkeys/credentials';
import { CommandFailed, EXIT, UsageError } from './exit-codes.js';
import { err, printError } from './terminal.js';

/** New credentials read from the user. */
export interface NewCredentials {
  /** The API key. */
  apiKey: string;
  /** The API secret or PEM private key. */
  apiSecret: string;
  /** The passphrase, for exchanges that need one. */
  passphrase?: string;
}

/** Where to read the secret from instead of the prompt or stdin. */
export interface SecretInputOptions {
  /** Path of a file holding the secret (a PEM private key); its trailing newlines are dropped. */
  secretFile?: string;
}

async function readSecretFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).replace(/(\r?\n)+$/, '');
  } catch (error) {
    // A usage error: bin.ts masks the path if long, in case the secret itself was passed as the path.
    throw new UsageError(
      `Cannot read --secret-file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Give the path of a file holding the private key.`,
    );
  }
}

async function readStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return [];
  // Only the line break is removed: spaces stay, so validation can refuse them.
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

async function promptHidden(message: string): Promise<string> {
  const { password, isCancel } = await import('@clack/prompts');
  const value = await password({ message, mask: '•', output: process.stderr });
  if (isCancel(value)) {
    printError('Cancelled: nothing was changed.');
    throw new CommandFailed(EXIT.cancelled);
  }
  return value;
}

/**
 * The new credentials of `set` and `rotate`: from the exchange's key file with `fromFile`
 * (`--from-file`, Coinbase's `cdp_api_key.json`), else as {@link readNewCredentials} reads them,
 * the secret from `secretFile` when given.
 */
export async function readCredentialsOption(
  exchange: string,
  profile: string,
  options: { fromFile?: string; secretFile?: string },
): Promise<NewCredentials> {
  if (options.fromFile !== undefined) {
    return (await import('./cdp-key-file.js')).readExchangeKeyFile(exchange, options.fromFile);
  }
  return readNewCredentials(
    exchange,
    profile,
    options.secretFile === undefined ? {} : { secretFile: options.secretFile },
  );
}

/**
 * Reads a key, a secret and (for OKX and other passphrase exchanges) a passphrase: from hidden
 * prompts when stdin is a terminal, else from stdin, one value per line in that order.
 * @throws {UsageError} when stdin is empty.
 */
export async function readNewCredentials(
  exchange: string,
  profile: string,
  options: SecretInputOptions = {},
): Promise<NewCredentials> {
  const names = variableNames(exchange, profile);
  const withPassphrase = needsPassphrase(exchange);
  const fileSecret =
    options.secretFile === undefined ? undefined : await readSecretFile(options.secretFile);
  const fields: Array<'key' | 'secret' | 'passphrase'> = ['key'];
  if (fileSecret === undefined) fields.push('secret');
  if (withPassphrase) fields.push('passphrase');
  const values: Record<string, string> = {};
  if (process.stdin.isTTY) {
    for (const field of fields) values[field] = await promptHidden(`${names[field]} (hidden)`);
  } else {
    const lines = await readStdinLines();
    if (lines.length === 0) {
      throw new UsageError(
        `Nothing on stdin. Pipe ${fields.map((field) => names[field]).join(', ')}, one per line, or run exkeys in a terminal to get hidden prompts.`,
      );
    }
    fields.forEach((field, index) => {
      values[field] = lines[index] ?? '';
    });
  }
  const creds: NewCredentials = {
    apiKey: values.key ?? '',
    apiSecret: fileSecret ?? values.secret ?? '',
  };
  if (withPassphrase) creds.passphrase = values.passphrase ?? '';
  return creds;
}

/**
 * Reads only the API key, for a secret that is already stored (`exkeys keygen`, `exkeys set
 * --key-only`): a hidden prompt when stdin is a terminal, else the first line of stdin.
 * @returns the key, or `undefined` when stdin is not a terminal and empty.
 */
export async function readApiKey(
  exchange: string,
  profile: string,
  hint = '',
): Promise<string | undefined> {
  const { key } = variableNames(exchange, profile);
  if (process.stdin.isTTY) return promptHidden(`${key}${hint} (hidden)`);
  const lines = await readStdinLines();
  return lines.length === 0 ? undefined : (lines[0] ?? '');
}

/**
 * Runs the core's static validation on `creds` in a throw-away record (never `process.env`). Prints
 * every error and warning by variable name.
 * @throws {CommandFailed} when a value is missing, has whitespace, or is a template placeholder.
 */
export function assertValidNew(exchange: string, profile: string, creds: NewCredentials): void {
  const names = variableNames(exchange, profile);
  const env: Record<string, string> = {
    [names.key]: creds.apiKey,
    [names.secret]: creds.apiSecret,
  };
  if (creds.passphrase !== undefined) env[names.passphrase] = creds.passphrase;
  const result = validateCredentials(exchange, { profile, env });
  for (const warning of result.warnings) printError(`${err.yellow('warning')} ${warning.message}`);
  if (!result.valid) {
    for (const error of result.errors) printError(`${err.red('error')} ${error.message}`);
    printError('Nothing was saved.');
    throw new CommandFailed(EXIT.failed);
  }
}
