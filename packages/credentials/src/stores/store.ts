/**
 * The store interface. Every place keys can live (a `.env` file, an age keystore, the OS keychain,
 * Docker/Kubernetes secret files) implements `CredentialStore`, so load → validate → retrieve is the
 * same whatever holds the keys.
 * @module
 */

/** Per-variable metadata kept by a store. */
export interface StoredVariableInfo {
  /** The variable name, e.g. `BYBIT_API_KEY`. */
  name: string;
  /** When the value was last written by exkeys (ISO 8601), or `null` when unknown. */
  rotatedAt: string | null;
}

/** A batch of changes: a string sets a variable, `null` deletes it. */
export type StoreChanges = Readonly<Record<string, string | null>>;

/** Options of {@link CredentialStore.write}. */
export interface StoreWriteOptions {
  /**
   * Rotation times to record, by variable name (ISO 8601). Variables not listed keep their recorded
   * time.
   */
  rotatedAt?: Readonly<Record<string, string>>;
}

/** Somewhere credentials are kept. Implementations: `dotenvStore`, `ageStore`, `keychainStore`, `secretFilesStore`. */
export interface CredentialStore {
  /** What kind of store this is. */
  readonly kind: 'dotenv' | 'age' | 'keychain' | 'secret-files';
  /** Where it is, for messages: a file path, a directory or a keychain service. Never a secret. */
  readonly location: string;
  /** True when `write` and `delete` always throw (secret files). */
  readonly readOnly: boolean;
  /** Every variable in the store. A store that does not exist yet reads as empty. */
  readAll(): Promise<Map<string, string>>;
  /** Applies `changes` atomically, under the store's lock. Unrelated content survives. */
  write(changes: StoreChanges, options?: StoreWriteOptions): Promise<void>;
  /** Deletes the named variables (and their metadata). */
  delete(names: readonly string[]): Promise<void>;
  /** The variables present, with their metadata. */
  list(): Promise<StoredVariableInfo[]>;
  /**
   * The values and the metadata from one read of the store (one decryption of an age keystore).
   * Optional, so that existing custom stores keep compiling; {@link readStoreSnapshot} falls back to
   * `readAll()` + `list()` without it.
   */
  snapshot?(): Promise<StoreSnapshot>;
}

/** Everything a store holds, read at once. Holds secrets: keep it in memory, never print it. */
export interface StoreSnapshot {
  /** Every variable, as {@link CredentialStore.readAll} returns them. */
  values: Map<string, string>;
  /** The variables present with their metadata, as {@link CredentialStore.list} returns them. */
  variables: StoredVariableInfo[];
}

/**
 * Reads `store` once: its `snapshot()` when it has one, else `readAll()` and `list()` (two reads, for
 * custom stores written before `snapshot` existed).
 */
export function readStoreSnapshot(store: CredentialStore): Promise<StoreSnapshot> {
  if (store.snapshot) return store.snapshot();
  return Promise.all([store.readAll(), store.list()]).then(([values, variables]) => ({
    values,
    variables,
  }));
}
