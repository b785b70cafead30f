/**
 * Every flag that more than one command takes, declared next to its type: the store flags
 * (`--env-file`, `--keystore`, `--profile`, `--json`), the endpoint flags (`--testnet`, `--demo`,
 * `--base-url`), `--purpose`, `--max-age`, `--secret-file`, and doctor's `--expires-within` and
 * `--notify`. `program.ts` declares them through
 * the `with…` functions; commands import the types. Loaded by `exkeys --help`, so it must not
 * import the core at run time.
 * @module
 */
import type { AGE_KEY_SOURCES, UNCHECKED_FACTS, UncheckedFact } from '@exkeys/credentials';
import { type Command, Option } from 'commander';
import { UsageError } from './exit-codes.js';

/** Options every store-reading command accepts. */
export interface StoreOptions {
  /** The `.env` file. @default '.env' */
  envFile: string;
  /** An age keystore file to use instead of the `.env` file. */
  keystore?: string;
  /** Write even when the keystore's `<keystore>.recipients` changed since this user last wrote it. */
  acceptRecipients?: boolean;
  /** The profile, for commands about one key. */
  profile?: string;
  /** Print JSON instead of text. */
  json?: boolean;
  /** Set by the program when `--env-file` was given on the command line (not the default). */
  envFileGiven?: boolean;
  /**
   * Read the keys from a directory of secret files instead (`secretFilesStore`); `true` (the flag
   * alone) takes `$CREDENTIALS_DIRECTORY`, else `/run/secrets`. Only commands that read keys take it.
   */
  secretFiles?: string | true;
}

/** Options of `exkeys scan`, declared next to the command in `program.ts`. */
export interface ScanFlagOptions extends StoreOptions, EndpointOptions {
  /** Check each exact-shape finding live with its paired secret, and rank it. @default false */
  verify?: boolean;
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
  /** OKX only: the regional domain the account belongs to (`www`, `eea`, `us`.okx.com). */
  region?: 'global' | 'eea' | 'us';
}

/** `--allow-permission`: permissions the user accepts knowingly (`KeyPolicy.allowPermissions`). */
export interface AllowPermissionOptions {
  /** `exchange:Name` entries, e.g. `bybit:FiatP2P`. */
  allowPermission?: string[];
  /** `--accept-unchecked`: facts the exchange does not report, checked by the user (`KeyPolicy.acceptUnchecked`). */
  acceptUnchecked?: UncheckedFact[];
}

/** What a key is for: `data` keys must not trade. */
export type Purpose = 'data' | 'trade';

/** `--purpose` and `--allow-permission`. */
export interface PurposeOptions extends AllowPermissionOptions {
  /** `data` keys must not trade. @default 'trade' */
  purpose: Purpose;
}

/** `--max-age`, as typed (parse it with {@link parseMaxAge}). */
export interface MaxAgeOptions {
  /** Days after which a key is stale. @default '90' */
  maxAge: string;
}

/** The flags of `exkeys rotate --auto` (see `auto-rotation.ts`). */
export interface AutoRotateFlags {
  /** Rotate through the exchange's sub-account key API. */
  auto?: boolean;
  /** The admin profile holding the master key. @default 'ADMIN' */
  adminProfile?: string;
  /** Seconds between the swap and deleting the old key, as typed. @default '30' */
  grace?: string;
  /** Rotate a key without an IP whitelist. */
  allowNoIp?: boolean;
  /** Print the plan; change nothing. */
  dryRun?: boolean;
  /** Only finish or roll back an unfinished rotation. */
  resume?: boolean;
  /** Report each step as JSON. */
  json?: boolean;
}

/** Everything `rotate --auto` reads. */
export type AutoRotateOptions = StoreOptions & EndpointOptions & AutoRotateFlags;

/** `--secret-file`. */
export interface SecretFileOptions {
  /** Read the secret from this file (a PEM private key) instead of the prompt or stdin. */
  secretFile?: string;
  /** `exkeys set` only: read key and secret from the exchange's downloaded key file (Coinbase CDP). */
  fromFile?: string;
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
  // `-f` is out of sight of Node, which scans every argument for `--env-file` (see node-env-file.ts).
  command.option('-f, --env-file <path>', 'the .env file holding the keys', '.env');
  if (keystore) {
    command.option(
      '--keystore <path>',
      `an age keystore to use instead of the .env file (key from ${AGE_KEY_SOURCES_HELP}, or a hidden prompt)`,
    );
    command.option(
      '--accept-recipients',
      'write even if <keystore>.recipients changed since you last wrote it (else asked on a terminal, refused without one)',
    );
  }
  if (profile)
    command.option('--profile <name>', 'the key profile, e.g. grid for BYBIT_GRID_API_KEY');
  if (json) command.option('--json', 'print JSON instead of a table');
  return command;
}

/** Adds `--secret-files [dir]` ({@link StoreOptions.secretFiles}), for commands that only read keys. */
export function withSecretFilesStore(command: Command): Command {
  return command.addOption(
    new Option(
      '--secret-files [dir]',
      'read the keys from secret files, one per variable (alone: $CREDENTIALS_DIRECTORY of systemd, else /run/secrets)',
    ).conflicts(['keystore']),
  );
}

/** Adds `--base-url` ({@link EndpointOptions}) alone, with the command's own description. */
export function withBaseUrl(command: Command, description: string): Command {
  return command.option('--base-url <url>', description);
}

/** Adds `--region` ({@link EndpointOptions.region}). */
export function withRegion(command: Command): Command {
  return command.addOption(
    new Option(
      '--region <region>',
      'OKX only: the domain of your account (global www.okx.com, eea eea.okx.com, us us.okx.com)',
    ).choices(['global', 'eea', 'us']),
  );
}

/**
 * The facts `--accept-unchecked` takes. `--help` must not load the core, so this is a copy of the
 * core's `UNCHECKED_FACTS`; its type makes the compiler refuse any difference.
 */
const UNCHECKED_FACT_CHOICES: typeof UNCHECKED_FACTS = ['withdraw', 'ip-whitelist'];

/** Adds `--allow-permission` and `--accept-unchecked` ({@link AllowPermissionOptions}), repeatable. */
export function withAllowPermission(command: Command): Command {
  return command
    .option(
      '--allow-permission <exchange:Name...>',
      'accept a permission exkeys does not know, or a payout one, after checking it (e.g. bybit:FiatP2P); never a withdraw permission',
    )
    .addOption(
      new Option(
        '--accept-unchecked <fact...>',
        "accept what the exchange does not report (Kraken, Coinbase…), after checking it on the exchange's key page",
      ).choices([...UNCHECKED_FACT_CHOICES]),
    );
}

/** Adds the endpoint flags ({@link EndpointOptions}): `--testnet`, `--demo`, `--base-url`, `--region`. */
export function withEndpoint(command: Command): Command {
  command
    .addOption(new Option('--testnet', 'verify against the testnet').conflicts(['demo', 'baseUrl']))
    .addOption(new Option('--demo', 'verify against demo trading').conflicts(['baseUrl']));
  return withRegion(withBaseUrl(command, 'verify against this URL (e.g. the exkeys sandbox)'));
}

/**
 * Checks `--allow-permission` entries.
 * @throws {UsageError} for an entry that is not `exchange:Name`.
 */
export function parseAllowPermissions(values: readonly string[] = []): string[] {
  for (const value of values) {
    if (!/^[a-z0-9]+:[A-Za-z0-9_.-]+$/.test(value)) {
      throw new UsageError(
        `--allow-permission takes exchange:Name, such as bybit:FiatP2P or bybit:FiatP2P.Advertising (got ${JSON.stringify(value)}).`,
      );
    }
  }
  return [...values];
}

/** Adds `--purpose` ({@link PurposeOptions}) and `--allow-permission`. */
export function withPurpose(command: Command): Command {
  return withAllowPermission(
    command.addOption(
      new Option('--purpose <purpose>', 'what the key is for: data keys must not trade')
        .choices(['data', 'trade'])
        .default('trade'),
    ),
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
 * Parses a number of days given to `flag`, such as `--max-age`.
 * @throws {UsageError} unless it is a non-negative number of days.
 */
export function parseDays(value: string, flag = '--max-age', example = 90): number {
  const days = Number(value);
  if (!Number.isFinite(days) || days < 0 || value.trim() === '') {
    throw new UsageError(
      `${flag} takes a number of days, such as ${example} (got ${JSON.stringify(value)}).`,
    );
  }
  return days;
}

/**
 * Parses a `--max-age` value.
 * @throws {UsageError} unless it is a non-negative number of days.
 */
export function parseMaxAge(value: string): number {
  return parseDays(value, '--max-age', 90);
}

/** `doctor`'s health flags: `--expires-within` and `--notify`. */
export interface HealthOptions {
  /** With `--live`: fail on keys expiring within this many days, as typed. @default '14' */
  expiresWithin: string;
  /**
   * Post the findings as JSON to this URL after the run; `true` (the flag alone) takes the URL
   * from `EXKEYS_NOTIFY_URL`, so a token in it stays out of shell history and `ps`.
   */
  notify?: string | true;
}

/** Adds `--expires-within` and `--notify` ({@link HealthOptions}). */
export function withHealth(command: Command): Command {
  return command
    .option(
      '--expires-within <days>',
      'with --live: fail on a key the exchange expires within this many days',
      '14',
    )
    .option(
      '--notify [url]',
      'post the findings as JSON to this webhook after the run (alone: the URL in EXKEYS_NOTIFY_URL)',
    );
}
