/**
 * Where the bot's keys live. `node dist/main.js` reads the kind from `EXKEYS_STORE`, falling back to
 * {@link DEFAULT_STORE} (which `npm create @exkeys/bot --store …` sets in a new project).
 *
 *   env      a `.env` file (EXKEYS_ENV_FILE, default .env), mode 0600, ignored by git
 *   age      an age keystore (EXKEYS_KEYSTORE, default .env.age), opened with EXKEYS_PASSPHRASE,
 *            EXKEYS_AGE_IDENTITY_FILE or another key source of `resolveAgeKey`
 *   secrets  Docker/Kubernetes secret files (EXKEYS_SECRETS_DIR, default /run/secrets), read-only
 * @module
 */
import { ageStore, type CredentialStore, secretFilesStore } from '@exkeys/credentials';

/** The kinds of store the bot can read its keys from. */
export const STORE_KINDS = ['env', 'age', 'secrets'] as const;

/** One of {@link STORE_KINDS}. */
export type StoreKind = (typeof STORE_KINDS)[number];

/** The store used when `EXKEYS_STORE` is not set. */
export const DEFAULT_STORE: StoreKind = 'env';

/** What `runBot` loads from: an `envFile`, or `stores`. */
export interface BotStore {
  /** The kind chosen. */
  kind: StoreKind;
  /** The `.env` file, for kind `env`. */
  envFile?: string;
  /** The stores, for the other kinds. */
  stores?: readonly CredentialStore[];
}

/**
 * The store the environment asks for. Throws a `TypeError` naming the accepted values for an unknown
 * `EXKEYS_STORE`.
 */
export function botStore(env: Readonly<Record<string, string | undefined>>): BotStore {
  const kind = (env.EXKEYS_STORE || DEFAULT_STORE).toLowerCase() as StoreKind;
  switch (kind) {
    case 'env':
      return { kind, envFile: env.EXKEYS_ENV_FILE || '.env' };
    case 'age':
      return { kind, stores: [ageStore({ path: env.EXKEYS_KEYSTORE || '.env.age', env })] };
    case 'secrets':
      return { kind, stores: [secretFilesStore(env.EXKEYS_SECRETS_DIR || '/run/secrets')] };
    default:
      throw new TypeError(
        `EXKEYS_STORE must be one of ${STORE_KINDS.join(', ')}, not "${env.EXKEYS_STORE}".`,
      );
  }
}
