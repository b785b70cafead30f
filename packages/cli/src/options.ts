/**
 * Every flag that more than one command takes, declared next to its type: the store flags
 * (`--env-file`, `--keystore`, `--profile`, `--json`), the endpoint flags (`--testnet`, `--demo`,
 * `--base-url`), `--purpose`, `--max-age` and `--secret-file`. `program.ts` declares them through
 * the `with…` functions; commands import the types. Loaded by `exkeys --help`, so it must not
 * import the core at run time.
 * @module
 */
import type { AGE_KEY_SOURCES } from '@exkeys/credentials';
import { type Command, Option } from 'commander';
import { UsageError } from './exit-codes.js';

/** Options every store-reading command accepts. */
export interface StoreOptions {
  /** The `.env` file. @default '.env' */
  envFile: string;
  /** An age keystore file to use instead of the `.env` file. */
  keystore?: string;
  /** The profile, for commands about one key. */
  profile?: string;
  /** Print JSON instead of text. */
  json?: boolean;
}

/** Options of `exkeys scan`, declared next to the command in `program.ts`. */
export interface ScanFlagOptions extends StoreOptions {
  /** Also scan every commit. */
  history?: boolean;
  /** Scan only the staged changes (`git diff --cached`). */
  staged?: boolean;
  /** `text`, `json` or `sarif`; `--json` is the same as `--format json`. @default 'text' */
  format?: 'text' | 'json' | 'sarif';
  /** The exit code when something is found, as typed. @default '1' */
  exitCode?: string;
  /** Print our rules in another scanner's format (`gitleaks`) instead of scanning. */
  exportRules?: string;
  /** Write a git (or Husky) pre-commit hook running `scan --staged` instead of scanning. */
  installHook?: boolean;
  /** `write` to record the current findings as accepted, or the baseline file to read. */
  baseline?: string;
}

/** Where to verify: the exchange's production API unless one of these is set. */
export interface EndpointOptions {
  /** The exchange's testnet. */
  testnet?: boolean;
  /** The exchange's demo-trading environment. */
  demo?: boolean;
  /** Another origin, such as the exkeys sandbox. */
  baseUrl?: string;
}

/** What a key is for: `data` keys must not trade. */
export type Purpose = 'data' | 'trade';

/** `--purpose`. */
export interface PurposeOptions {
  /** `data` keys must not trade. @default 'trade' */
  purpose: Purpose;
}

/** `--max-age`, as typed (parse it with {@link parseMaxAge}). */
export interface MaxAgeOptions {
  /** Days after which a key is stale. @default '90' */
  maxAge: string;
}

/** `--secret-file`. */
export interface SecretFileOptions {
  /** Read the secret from this file (a PEM private key) instead of the prompt or stdin. */
  secretFile?: string;
}

/**
 * Where `--keystore` gets its key, for the help text. `--help` must not load the core, so this is a
 * copy of the core's `AGE_KEY_SOURCES`; its type makes the compiler refuse any difference.
 */
export const AGE_KEY_SOURCES_HELP: typeof AGE_KEY_SOURCES =
  'EXKEYS_PASSPHRASE (or EXKEYS_PASSPHRASE_FILE), EXKEYS_AGE_IDENTITY, EXKEYS_AGE_IDENTITY_FILE or EXKEYS_AGE_IDENTITY_KEYCHAIN, or an identity file at ~/.config/exkeys/age-identity.txt (mode 0600)';

/** Which of the store flags a command takes besides `--env-file`. */
export interface StoreFlags {
  /** `--json`. @default true */
  json?: boolean;
  /** `--profile`. @default false */
  profile?: boolean;
  /** `--keystore`. @default true */
  keystore?: boolean;
}

/** Adds the store flags ({@link StoreOptions}) to `command`. */
export function withStore(
  command: Command,
  { json = true, profile = false, keystore = true }: StoreFlags = {},
): Command {
  command.option('--env-file <path>', 'the .env file holding the keys', '.env');
  if (keystore) {
    command.option(
      '--keystore <path>',
      `an age keystore to use instead of the .env file (key from ${AGE_KEY_SOURCES_HELP}, or a hidden prompt)`,
    );
  }
  if (profile)
    command.option('--profile <name>', 'the key profile, e.g. grid for BYBIT_GRID_API_KEY');
  if (json) command.option('--json', 'print JSON instead of a table');
  return command;
}

/** Adds `--base-url` ({@link EndpointOptions}) alone, with the command's own description. */
export function withBaseUrl(command: Command, description: string): Command {
  return command.option('--base-url <url>', description);
}

/** Adds the endpoint flags ({@link EndpointOptions}): `--testnet`, `--demo`, `--base-url`. */
export function withEndpoint(command: Command): Command {
  command
    .addOption(new Option('--testnet', 'verify against the testnet').conflicts(['demo', 'baseUrl']))
    .addOption(new Option('--demo', 'verify against demo trading').conflicts(['baseUrl']));
  return withBaseUrl(command, 'verify against this URL (e.g. the exkeys sandbox)');
}

/** Adds `--purpose` ({@link PurposeOptions}). */
export function withPurpose(command: Command): Command {
  return command.addOption(
    new Option('--purpose <purpose>', 'what the key is for: data keys must not trade')
      .choices(['data', 'trade'])
      .default('trade'),
  );
}

/** Adds `--max-age` ({@link MaxAgeOptions}), defaulting to 90 days. */
export function withMaxAge(command: Command, description: string): Command {
  return command.option('--max-age <days>', description, '90');
}

/** Adds `--secret-file` ({@link SecretFileOptions}). */
export function withSecretFile(command: Command, description: string): Command {
  return command.option('--secret-file <path>', description);
}

/**
 * Parses a `--max-age` value.
 * @throws {UsageError} unless it is a non-negative number of days.
 */
export function parseMaxAge(value: string): number {
  const days = Number(value);
  if (!Number.isFinite(days) || days < 0 || value.trim() === '') {
    throw new UsageError(
      `--max-age takes a number of days, such as 90 (got ${JSON.stringify(value)}).`,
    );
  }
  return days;
}
