/**
 * The `exkeys` command tree. Each handler is imported only when its command runs, so `exkeys --help`
 * and `exkeys list` never load ccxt, the sandbox or the prompt library.
 * @module
 */
import { Command, CommanderError, Option } from 'commander';
import {
  withAllowPermission,
  withBaseUrl,
  withEndpoint,
  withHealth,
  withMaxAge,
  withPurpose,
  withRegion,
  withSecretFile,
  withSecretFilesStore,
  withStore,
} from './options.js';
import { maskOptionValues } from './secret-arguments.js';

function example(text: string): string {
  return `\nExample:\n${text
    .split('\n')
    .map((line) => `  $ ${line}`)
    .join('\n')}\n`;
}

type Handler = (...args: unknown[]) => Promise<void>;

/** Defers `import(path)` until the command runs. */
function lazy(load: () => Promise<Handler>): Handler {
  return async (...args) => (await load())(...args);
}

/** A commander parse error with the message commander would have printed (see {@link createProgram}). */
export type ProgramError = CommanderError & {
  /** What commander would have written to stderr, option values already masked. */
  errorOutput?: string;
};

/**
 * What commander would have printed for `error` (empty for other errors). The bin prints it through
 * `redactEchoedArguments`, the one rule for echoed arguments, which needs the core loaded
 * asynchronously: commander's own output hook is synchronous.
 */
export function commanderErrorOutput(error: unknown): string {
  return error instanceof CommanderError ? ((error as ProgramError).errorOutput ?? '') : '';
}

/**
 * Builds the `exkeys` program. Parse errors throw (see `exitOverride`) so the caller picks the exit
 * code; commander's error message is not printed but carried on the error
 * ({@link commanderErrorOutput}), so the caller can mask echoed arguments before printing it.
 */
export function createProgram(version: string): Command {
  const pending: string[] = [];
  const program = new Command('exkeys')
    .description('Keep crypto-exchange API keys out of your code, your git history and your shell.')
    .version(version)
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride((error) => {
      throw Object.assign(error, { errorOutput: pending.splice(0).join('') });
    })
    .hook('preAction', (_program, action) => {
      // A --env-file the user named must exist; the default .env may be missing.
      if (action.getOptionValueSource('envFile') === 'cli')
        action.setOptionValue('envFileGiven', true);
    })
    .configureOutput({
      outputError: (message) => pending.push(maskOptionValues(message)),
    })
    .addHelpText(
      'after',
      '\nSecrets are never taken as arguments: type them at a hidden prompt or pipe them on stdin.\nExit codes: 0 all well, 1 a check failed, 2 usage error.\n',
    );

  withStore(
    program
      .command('init')
      .description(
        'create a commented .env template (mode 0600) and add secret files to .gitignore',
      ),
    { json: false, keystore: false },
  )
    .addHelpText('after', example('exkeys init'))
    .action(lazy(async () => (await import('./commands/init.js')).initCommand as Handler));

  withStore(
    withSecretFile(
      program
        .command('set')
        .description(
          'store a key: hidden prompts on a terminal, else stdin lines (key, secret, passphrase)',
        )
        .argument('<exchange>', 'exchange id, e.g. bybit, binance, okx, kucoin'),
      'read the secret from this file (a PEM private key)',
    )
      .option('--key-only', 'read only the API key; keep the secret already stored (after keygen)')
      .option(
        '--from-file <path>',
        "read key and secret from the exchange's key file (Coinbase: cdp_api_key.json)",
      ),
    { json: false, profile: true },
  )
    .addHelpText(
      'after',
      example(
        'exkeys set bybit --profile grid\nprintf "%s\\n%s\\n" "$KEY" "$SECRET" | exkeys set binance\nexkeys set binance --secret-file ed25519-private.pem   # key on stdin or prompt\nexkeys set coinbase --from-file cdp_api_key.json',
      ),
    )
    .action(lazy(async () => (await import('./commands/set.js')).setCommand as Handler));

  withStore(
    program
      .command('keygen')
      .description(
        'generate a key pair here, store the private key, print the public key for the exchange',
      )
      .argument('<exchange>', 'binance (Ed25519 or RSA) or bybit (RSA)')
      .option('--type <type>', 'ed25519 or rsa (default: Ed25519 for Binance, RSA for Bybit)')
      .option(
        '--no-key',
        'stop after printing the public key; add the API key later with set --key-only',
      ),
    { json: false, profile: true },
  )
    .addHelpText(
      'after',
      example('exkeys keygen binance --profile grid\nexkeys keygen bybit --no-key > bybit.pub'),
    )
    .action(lazy(async () => (await import('./commands/keygen.js')).keygenCommand as Handler));

  withStore(
    withMaxAge(
      program
        .command('list')
        .description('list configured keys: preview, what is set, age and status'),
      'keys older than this are stale',
    ),
  )
    .addHelpText('after', example('exkeys list --max-age 30'))
    .action(lazy(async () => (await import('./commands/list.js')).listCommand as Handler));

  withStore(
    program
      .command('validate')
      .description('check stored keys without any network call (placeholders, whitespace, shape)')
      .argument('[exchanges...]', 'exchanges to check (default: every configured one)'),
  )
    .addHelpText('after', example('exkeys validate bybit okx'))
    .action(lazy(async () => (await import('./commands/validate.js')).validateCommand as Handler));

  withPurpose(
    withEndpoint(
      withStore(
        withSecretFilesStore(program.command('verify'))
          .description(
            'verify keys live and audit their permissions; refuse keys that can withdraw',
          )
          .argument('[exchanges...]', 'exchanges to verify (default: every configured one)'),
      ),
    ),
  )
    .addHelpText('after', example('exkeys verify --purpose data\nexkeys verify bybit --testnet'))
    .action(lazy(async () => (await import('./commands/verify.js')).verifyCommand as Handler));

  withPurpose(
    withEndpoint(
      withStore(
        withSecretFile(
          program
            .command('rotate')
            .description(
              'replace a key: read the new one like `set`, verify it live, then swap it in atomically',
            )
            .argument('<exchange>', 'exchange id')
            .option('--no-verify', 'skip live verification of the new key')
            .option(
              '--from-file <path>',
              "read the new key and secret from the exchange's key file (Coinbase: cdp_api_key.json)",
            )
            .option(
              '--auto',
              "create the new key through the exchange's sub-account key API and delete the old one (binance, bybit, okx)",
            )
            .option(
              '--admin-profile <name>',
              'with --auto: the profile of the master key (default ADMIN)',
            )
            .option(
              '--grace <seconds>',
              'with --auto: wait this long before deleting the old key (default 30)',
            )
            .option(
              '--allow-no-ip',
              'with --auto: rotate a key without an IP whitelist (it lapses)',
            )
            .option('--dry-run', 'with --auto: print the plan and change nothing')
            .option('--resume', 'finish or roll back an interrupted --auto rotation')
            .option('--json', 'with --auto: report each step as JSON'),
          'read the new secret from this file (a PEM private key)',
        ),
        { json: false, profile: true },
      ),
    ),
  )
    .addHelpText(
      'after',
      example(
        'exkeys rotate bybit --profile grid\nexkeys rotate bybit --auto --admin-profile ADMIN --profile grid --dry-run\nexkeys rotate bybit --resume --profile grid',
      ),
    )
    .action(lazy(async () => (await import('./commands/rotate.js')).rotateCommand as Handler));

  withStore(
    withAllowPermission(
      withRegion(
        withBaseUrl(
          withMaxAge(
            withHealth(withSecretFilesStore(program.command('doctor')))
              .description(
                'audit key hygiene: .gitignore, git history, file modes, key age, shared keys; --live audits permissions',
              )
              .option('--live', 'also verify every key live and fail when one can withdraw'),
            'keys older than this fail',
          ),
          'with --live: verify against this URL',
        ),
      ),
    ),
  )
    .addHelpText(
      'after',
      example(
        'exkeys doctor --live --expires-within 30\nEXKEYS_NOTIFY_URL=https://hooks.slack.com/services/… exkeys doctor --live --notify',
      ),
    )
    .action(
      lazy(async () => (await import('./commands/doctor/index.js')).doctorCommand as Handler),
    );

  withEndpoint(
    withStore(
      program
        .command('scan')
        .description('find exchange keys in files (and with --history, in every commit)')
        .argument('[paths...]', 'files or directories to scan (default: the current directory)')
        .option('--history', 'also scan every commit of the git history')
        .option(
          '--staged',
          'scan only the staged changes (git diff --cached), for a pre-commit hook',
        )
        .addOption(
          new Option('--format <format>', 'report as text, json or sarif (--json is json)').choices(
            ['text', 'json', 'sarif'],
          ),
        )
        .option('--exit-code <code>', 'exit with this code when something is found', '1')
        .option(
          '--export-rules <format>',
          'print the rules as a gitleaks config instead of scanning',
        )
        .option('--install-hook', 'write a git (or Husky) pre-commit hook that runs scan --staged')
        .option(
          '--baseline <file|write>',
          'ignore the findings recorded in this file (default .exkeys-baseline.json); write records them',
        )
        .option(
          '--verify',
          'check each found key live with the secret found beside it, and rank it (sends it to the exchange)',
        ),
    ),
  )
    .addHelpText(
      'after',
      example(
        'exkeys scan --history\nexkeys scan --history --format sarif > exkeys.sarif\nexkeys scan --staged\nexkeys scan --export-rules gitleaks > .gitleaks.toml\nexkeys scan --install-hook\nexkeys scan --verify --base-url http://127.0.0.1:8080',
      ),
    )
    .action(lazy(async () => (await import('./commands/scan.js')).scanCommand as Handler));

  withStore(
    program
      .command('encrypt')
      .description('move the .env file into an age keystore (--keystore, default <env-file>.age)'),
    { json: false },
  )
    .option('--keep', 'keep the keys in the .env file too')
    .addHelpText('after', example('EXKEYS_PASSPHRASE=… exkeys encrypt --keystore .env.age'))
    .action(lazy(async () => (await import('./commands/encrypt.js')).encryptCommand as Handler));

  withStore(
    program
      .command('decrypt')
      .description(
        'move an age keystore (--keystore, default <env-file>.age) back into the .env file',
      ),
    { json: false },
  )
    .option('--keep', 'keep the keys in the keystore too')
    .addHelpText('after', example('exkeys decrypt --keystore .env.age'))
    .action(lazy(async () => (await import('./commands/encrypt.js')).decryptCommand as Handler));

  withStore(
    program
      .command('run')
      .description("run a command with the keys in ITS environment only (not your shell's)")
      .option('--exchange <ids...>', 'inject only these exchanges')
      .option('--no-masking', "show the child's output unmasked (and let it write to the terminal)")
      .option('--watch', 'watch the store: act on a rotated key once it is written and valid')
      .option(
        '--on-change <action>',
        'with --watch: restart the command (default), or send it a signal such as SIGHUP',
      )
      .argument('<command...>', 'the command to run, after --')
      .passThroughOptions(),
    { json: false },
  )
    .addHelpText(
      'after',
      example(
        'exkeys run -- node bot.js\nexkeys run --exchange bybit -- npm start\nexkeys run --watch --on-change SIGHUP -- node bot.js',
      ),
    )
    .action(lazy(async () => (await import('./commands/run.js')).runCommand as Handler));

  withStore(
    program
      .command('systemd')
      .description(
        "print a drop-in that loads a service's keys as systemd credentials, the systemd-creds commands, and a daily doctor timer",
      )
      .argument('<unit>', 'the service of the bot, e.g. mybot or mybot.service')
      .option(
        '--exchange <ids...>',
        'generate for these exchanges (with --profile) instead of the keys in the store',
      )
      .option(
        '--plain',
        'LoadCredential= from plain files (mode 0400) instead of LoadCredentialEncrypted=',
      )
      .option(
        '--notify',
        'let the daily doctor post its findings to the webhook in an EXKEYS_NOTIFY_URL credential',
      )
      .option(
        '--credstore <dir>',
        'where the credential files go (default /etc/credstore.encrypted, or /etc/credstore with --plain)',
      )
      .option(
        '--exkeys-path <path>',
        'the exkeys executable for ExecStart= (default: this node and this exkeys)',
      ),
    { profile: true },
  )
    .addHelpText(
      'after',
      example('exkeys systemd mybot\nexkeys systemd mybot --exchange bybit --profile grid --plain'),
    )
    .action(lazy(async () => (await import('./commands/systemd.js')).systemdCommand as Handler));

  program
    .command('sandbox')
    .description(
      'start the loopback exchange (Bybit, Binance, OKX, Coinbase, KuCoin, Kraken) with demo keys',
    )
    .option('--port <port>', 'port to listen on (default: a free one)')
    .option('--latency <ms>', 'delay every response by this many milliseconds', '0')
    .option(
      '--write-env <path>',
      'write the demo keys to this new .env file (mode 0600) for the example bot',
    )
    .addHelpText('after', example('exkeys sandbox --port 8799 --write-env .env.sandbox'))
    .action(lazy(async () => (await import('./commands/sandbox.js')).sandboxCommand as Handler));

  return program;
}
