/**
 * Step 1: load keys from stores into the environment, once, at start-up.
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CredentialsError } from './errors.js';
import { parseCredentialReference } from './names.js';
import type { CredentialStore } from './stores/store.js';
import { MAX_SECRET_FILE_BYTES, readFileIfExists } from './stores/store-file.js';
import { storeFrom } from './stores/store-option.js';

/** Options of {@link loadApiKeys}. */
export interface LoadOptions {
  /**
   * The `.env` file to load. Ignored when `stores` is given.
   * @default '.env' (in the current directory)
   */
  envFile?: string;
  /**
   * Stores to load, highest priority first: a variable is taken from the first store that has it.
   * Use this for an age keystore, the OS keychain or secret files.
   */
  stores?: readonly CredentialStore[];
  /**
   * Let store values replace variables already set in `target` (the shell). Off by default, so an
   * operator can always override a file with the shell.
   * @default false
   */
  override?: boolean;
  /**
   * Where to inject. Pass a plain object to keep keys out of `process.env`, so child processes do not
   * inherit them; then give the same object to the getters as `env`.
   * @default process.env
   */
  target?: Record<string, string | undefined>;
}

/** What {@link loadApiKeys} did. Names only, never values. */
export interface LoadResult {
  /** True when at least one store exists (a missing `.env` is not an error). */
  loaded: boolean;
  /** The `.env` path, or the locations of the stores joined by `, `. */
  path: string;
  /** Variables written into `target`. */
  injected: string[];
  /** Variables left alone because `target` already had them and `override` is off. */
  skipped: string[];
}

/**
 * Injects every variable of the stores into `target` (`process.env` by default). Precedence, highest
 * first: variables already in `target` (the shell), unless `override`; then `stores` in order.
 *
 * Docker/Kubernetes secrets: for a credential variable `X` (e.g. `OKX_API_SECRET`), `X_FILE` in the
 * shell or in a store names a file whose content (trailing newline trimmed) becomes `X`. It counts
 * at its own level: a shell `X_FILE` beats a store's `X`, a shell `X` beats a store's `X_FILE`
 * (both the other way round with `override`), and a plain `X` beats `X_FILE` at the same level.
 * @throws {CredentialsError} `io` when a store or a `*_FILE` file cannot be read.
 */
export async function loadApiKeys(options: LoadOptions = {}): Promise<LoadResult> {
  const target = options.target ?? process.env;
  const override = options.override ?? false;
  const stores = options.stores ?? [storeFrom({ envFile: options.envFile })];
  const merged = new Map<string, string>();
  let loaded = false;
  for (const store of stores) {
    const values = await store.readAll();
    if (values.size > 0 || (store.kind === 'dotenv' && existsSync(store.location))) loaded = true;
    for (const [name, value] of values) if (!merged.has(name)) merged.set(name, value);
  }
  // What the shell had before anything was injected: the top (or, with override, bottom) level.
  const shell = new Map<string, string>();
  for (const [name, value] of Object.entries(target))
    if (value !== undefined) shell.set(name, value);
  const injected: string[] = [];
  const skipped: string[] = [];
  for (const [name, value] of merged) {
    if (!override && shell.has(name)) {
      skipped.push(name);
      continue;
    }
    target[name] = value;
    injected.push(name);
  }
  // `X_FILE` stands for X at its own level: the shell's beats the stores' X, and the shell's X beats
  // the stores' X_FILE, unless override turns the levels round. At one level a plain X wins.
  const levels = override ? [merged, shell] : [shell, merged];
  const resolved = new Set<string>();
  for (const name of [...shell.keys(), ...merged.keys()]) {
    if (isSecretFileVariable(name)) resolved.add(name.slice(0, -'_FILE'.length));
  }
  for (const variable of resolved) {
    const file = `${variable}_FILE`;
    const level = levels.find((values) => values.has(variable) || values.has(file));
    if (level === undefined || level.has(variable)) {
      if (level === shell && merged.has(file) && !skipped.includes(variable))
        skipped.push(variable);
      continue;
    }
    target[variable] = await readSecretFile(file, level.get(file) ?? '');
    if (!injected.includes(variable)) injected.push(variable);
  }
  return {
    loaded,
    path: stores.map((store) => store.location).join(', '),
    injected,
    skipped,
  };
}

function isSecretFileVariable(name: string): boolean {
  // Only credential variables: `LOG_FILE` or `EXKEYS_ENV_FILE` name files that are not secrets.
  return parseCredentialReference(name)?.file === true;
}

/**
 * Reads a Docker/Kubernetes secret file named by a `*_FILE` variable, trimming the final newline.
 * Only a regular file up to {@link MAX_SECRET_FILE_BYTES} is read: a FIFO, a device or a huge file
 * is refused without reading it.
 */
export async function readSecretFile(variable: string, path: string): Promise<string> {
  let content: Buffer | undefined;
  try {
    content = await readFileIfExists(resolve(path), { maxBytes: MAX_SECRET_FILE_BYTES });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why =
      code === 'EFBIG'
        ? `it is larger than ${MAX_SECRET_FILE_BYTES} bytes, more than any API secret`
        : code === 'ENOTREG' || code === 'EISDIR'
          ? 'it is not a regular file'
          : `${code}`;
    throw new CredentialsError(
      'io',
      `${variable} points to ${path}, which cannot be read (${why}). Point ${variable} at the file holding only the secret.`,
    );
  }
  if (content === undefined) {
    throw new CredentialsError(
      'io',
      `${variable} points to ${path}, which cannot be read (ENOENT). Mount the secret at that path or fix ${variable}.`,
    );
  }
  return content.toString('utf8').replace(/\r?\n$/, '');
}
