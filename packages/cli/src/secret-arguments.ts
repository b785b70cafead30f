/**
 * The rule that secrets never travel on the command line, where shell history, `ps` and CI logs
 * would keep them. Checked on the raw argv before commander parses it, because commander echoes
 * unknown options (values included) in its error messages.
 * @module
 */

/** Option names (lowercase, `-` and `_` removed) that would carry a secret value. */
const SECRET_OPTION_NAMES: ReadonlySet<string> = new Set([
  'key',
  'apikey',
  'secret',
  'apisecret',
  'secretkey',
  'privatekey',
  'passphrase',
  'apipassphrase',
  'password',
  'pass',
  'token',
  'apitoken',
  'accesskey',
]);

/**
 * Finds the first option in `args` that would carry a secret (`--secret`, `--api-key=…`,
 * `--passphrase`…). For `exkeys run`, only what precedes the `--` separator is checked: what follows
 * belongs to the command it starts. For every other command a `--` changes nothing, so
 * `exkeys set -- --secret=…` is refused too. Options naming a file (`--secret-file`) are fine: a path
 * is not a secret.
 * @returns the option name without its value, or `undefined` when there is none.
 */
export function findSecretArgument(args: readonly string[]): string | undefined {
  // The command is the first argument that is not an option (exkeys has no global option taking a value).
  const command = args.find((arg) => !arg.startsWith('-'));
  for (const arg of args) {
    if (arg === '--') {
      if (command === 'run' && args.indexOf('run') < args.indexOf('--')) return undefined;
      continue;
    }
    if (!arg.startsWith('--')) continue;
    const name = arg.replace(/^-+/, '').split('=', 1)[0] ?? '';
    const normalized = name.toLowerCase().replace(/[-_]/g, '');
    if (SECRET_OPTION_NAMES.has(normalized)) return `--${name}`;
  }
  return undefined;
}

/** The message shown for a secret passed as an argument. Names the option, never its value. */
export function secretArgumentMessage(option: string): string {
  return [
    `exkeys never accepts secrets as command-line arguments (${option}): shell history, \`ps\` and CI logs would keep them.`,
    'Type them at the hidden prompt of `exkeys set <exchange>`, or pipe them on stdin, one per line:',
    '  key, secret, then the passphrase for exchanges that need one.',
    'For a PEM private key, use --secret-file <path>.',
  ].join('\n');
}

/**
 * Masks the option values quoted in a commander error message (`'--foo=value'`, `'-sVALUE'`),
 * whatever they look like: a value glued to an unknown option is never needed to fix the mistake.
 * Other echoed arguments are judged by {@link redactEchoedArguments}.
 */
export function maskOptionValues(message: string): string {
  return message
    .replace(/'(--?[^'=\s]+)=[^']*'/g, "'$1=…'")
    .replace(/'-([^-'\s])[^'\s]+'/g, "'-$1…'");
}

/**
 * Masks, in an error message about the command line, every argument it echoes (in any letter case)
 * that looks like a credential by the core's one rule (`looksLikeCredential`), keeping its first 3
 * characters: a secret pasted where an exchange id, a profile or a path belongs is not printed
 * back, while a mistyped path or word is shown in full. The core is loaded only here, on the error
 * path, so start-up stays light.
 */
export async function redactEchoedArguments(
  message: string,
  args: readonly string[],
): Promise<string> {
  const { looksLikeCredential } = await import('@exkeys/credentials');
  let redacted = message;
  // Option names are not masked; the value of an `--option=value` is.
  const masked = args
    .map((arg) => (arg.startsWith('-') ? arg.slice(arg.indexOf('=') + 1 || arg.length) : arg))
    .filter((arg) => looksLikeCredential(arg))
    .sort((a, b) => b.length - a.length);
  for (const arg of masked) {
    const escaped = arg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    redacted = redacted.replace(new RegExp(escaped, 'gi'), `${arg.slice(0, 3)}…`);
  }
  return redacted;
}
