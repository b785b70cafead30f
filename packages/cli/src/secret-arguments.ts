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
 * `--passphrase`…), looking only before a `--` separator (what follows belongs to the command given to
 * `exkeys run`). Options naming a file (`--secret-file`) are fine: a path is not a secret.
 * @returns the option name without its value, or `undefined` when there is none.
 */
export function findSecretArgument(args: readonly string[]): string | undefined {
  for (const arg of args) {
    if (arg === '--') return undefined;
    if (!arg.startsWith('--')) continue;
    const name = arg.slice(2).split('=', 1)[0] ?? '';
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
 * Masks values quoted in a commander error message (`'--foo=value'`, long quoted tokens) so a secret
 * typed in the wrong place is not echoed back.
 */
export function redactCommanderMessage(message: string): string {
  return message
    .replace(/'(--?[^'=\s]+)=[^']*'/g, "'$1=…'")
    .replace(/'([^'\s]{16,})'/g, (_match, token: string) =>
      token.startsWith('-') ? `'${token}'` : `'${token.slice(0, 3)}…'`,
    );
}
