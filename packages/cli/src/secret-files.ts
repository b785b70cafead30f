/**
 * Names of files that hold secrets and must never be committed, shared by `init` (which adds them to
 * `.gitignore`) and `doctor` (which checks them).
 * @module
 */

/** `.gitignore` patterns for age keystores and age identity files. */
export const SECRET_FILE_PATTERNS: readonly string[] = [
  '*.env.age',
  '*.age-identity',
  'age-identity.txt',
];

/**
 * `.gitignore` patterns for copies of the `.env` file (`.env.sandbox`, `.env.local`, and the temp
 * files of atomic writes), keeping the committed template `.env.example`.
 */
export const ENV_VARIANT_PATTERNS: readonly string[] = ['.env.*', '!.env.example'];
