/**
 * Where the key that opens an age keystore can come from, in words, for messages and help texts. One
 * description, so that the core's errors and the CLI's help name the same `EXKEYS_*` variables in
 * the same order as `resolveAgeKey` tries them.
 * @module
 */

/** The environment variables `resolveAgeKey` reads, by role, in the order it tries them. */
export const AGE_KEY_VARIABLES: {
  /** The keystore passphrase itself. */
  readonly passphrase: 'EXKEYS_PASSPHRASE';
  /** The path of a file holding the passphrase (a Docker or Kubernetes secret). */
  readonly passphraseFile: 'EXKEYS_PASSPHRASE_FILE';
  /** An age identity, `AGE-SECRET-KEY-1…`. */
  readonly identity: 'EXKEYS_AGE_IDENTITY';
  /** The path of an age identity file. */
  readonly identityFile: 'EXKEYS_AGE_IDENTITY_FILE';
  /** A keychain service holding the identity as `EXKEYS_AGE_IDENTITY`. */
  readonly identityKeychain: 'EXKEYS_AGE_IDENTITY_KEYCHAIN';
} = {
  passphrase: 'EXKEYS_PASSPHRASE',
  passphraseFile: 'EXKEYS_PASSPHRASE_FILE',
  identity: 'EXKEYS_AGE_IDENTITY',
  identityFile: 'EXKEYS_AGE_IDENTITY_FILE',
  identityKeychain: 'EXKEYS_AGE_IDENTITY_KEYCHAIN',
};

/** The identity file `resolveAgeKey` falls back to, as shown to users (`$XDG_CONFIG_HOME` aside). */
export const DEFAULT_IDENTITY_FILE_SHOWN = '~/.config/exkeys/age-identity.txt' as const;

const V = AGE_KEY_VARIABLES;

/**
 * Every source of an age key in one phrase, to follow "set" or "from". Its type is the literal text,
 * so a copy that must not load the core (the CLI's `--help`) can be checked by the compiler: `EXKEYS_PASSPHRASE (or
 * EXKEYS_PASSPHRASE_FILE), EXKEYS_AGE_IDENTITY, EXKEYS_AGE_IDENTITY_FILE or
 * EXKEYS_AGE_IDENTITY_KEYCHAIN, or an identity file at ~/.config/exkeys/age-identity.txt (mode 0600)`.
 */
export const AGE_KEY_SOURCES =
  `${V.passphrase} (or ${V.passphraseFile}), ${V.identity}, ${V.identityFile} or ${V.identityKeychain}, or an identity file at ${DEFAULT_IDENTITY_FILE_SHOWN} (mode 0600)` as const;
