/**
 * What is configured in a store, read from the store itself (not the environment).
 * @module
 */
import { parseVariableName, variableNames } from './names.js';
import { maskKey } from './redact.js';
import { readStoreSnapshot, type StoreSnapshot } from './stores/store.js';
import { type StoreOption, storeFrom } from './stores/store-option.js';

/** Options of {@link listConfiguredExchanges}. */
export interface ListOptions extends StoreOption {
  /**
   * The time `ageDays` is measured from.
   * @default new Date()
   */
  now?: Date;
  /**
   * What the store holds, already read with `readStoreSnapshot`. Given, nothing is read: a command
   * that also needs the values (to validate them, as `exkeys list` and `doctor` do) reads the store
   * once and passes the snapshot here. The store options are then ignored.
   */
  snapshot?: StoreSnapshot;
}

/** One exchange + profile found in a store. Holds a 6-character key preview, never a secret. */
export interface ConfiguredExchange {
  /** Lowercase exchange id. */
  exchange: string;
  /** Uppercase profile, or `default`. */
  profile: string;
  /** The key variable has a value. */
  keySet: boolean;
  /** The secret variable has a value. */
  secretSet: boolean;
  /** The passphrase variable has a value. */
  passphraseSet: boolean;
  /** At most the key's first 6 characters, then `…`; `''` when unset. */
  keyPreview: string;
  /** Both the key and the secret are set. */
  bothConfigured: boolean;
  /** When the key was last written by exkeys (ISO 8601), or `null` when unknown. */
  rotatedAt: string | null;
  /** Whole days since `rotatedAt`, or `null` when unknown. */
  ageDays: number | null;
}

const DAY_MS = 86_400_000;

/**
 * One row per exchange + profile present in the store, sorted by exchange then profile. Reads the
 * store once (one `snapshot()`), or not at all when `options.snapshot` is given.
 */
export async function listConfiguredExchanges(
  options: ListOptions = {},
): Promise<ConfiguredExchange[]> {
  const snapshot = options.snapshot ?? (await readStoreSnapshot(storeFrom(options)));
  const now = (options.now ?? new Date()).getTime();
  const { values, variables } = snapshot;
  const rotated = new Map(variables.map((info) => [info.name, info.rotatedAt]));
  const groups = new Map<string, { exchange: string; profile: string }>();
  for (const name of values.keys()) {
    const parsed = parseVariableName(name);
    if (parsed) groups.set(`${parsed.exchange}\u0000${parsed.profile}`, parsed);
  }
  const rows = [...groups.values()].map(({ exchange, profile }) => {
    const names = variableNames(exchange, profile);
    const key = values.get(names.key) ?? '';
    const secret = values.get(names.secret) ?? '';
    const rotatedAt = rotated.get(names.key) ?? null;
    const time = rotatedAt === null ? Number.NaN : Date.parse(rotatedAt);
    return {
      exchange,
      profile,
      keySet: key !== '',
      secretSet: secret !== '',
      passphraseSet: (values.get(names.passphrase) ?? '') !== '',
      keyPreview: maskKey(key),
      bothConfigured: key !== '' && secret !== '',
      rotatedAt: Number.isNaN(time) ? null : rotatedAt,
      ageDays: Number.isNaN(time) ? null : Math.max(0, Math.floor((now - time) / DAY_MS)),
    };
  });
  return rows.sort(
    (a, b) => a.exchange.localeCompare(b.exchange) || a.profile.localeCompare(b.profile),
  );
}
