/**
 * The OS keychain store: macOS Keychain, Windows Credential Manager, or the Secret Service (GNOME
 * Keyring, KWallet, KeePassXC) on Linux, through `@napi-rs/keyring`. One keychain entry per variable,
 * plus an index entry listing the names and rotation times, because keychains cannot list entries.
 * @module
 */
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';
import { KeystoreError } from '../errors.js';
import { redactText } from '../redact.js';
import { loadKeyring } from './optional-peers.js';
import type {
  CredentialStore,
  StoreChanges,
  StoredVariableInfo,
  StoreSnapshot,
  StoreWriteOptions,
} from './store.js';

/** The keychain account that holds the index of a service: variable names and rotation times. */
export const KEYCHAIN_INDEX_ACCOUNT = '__exkeys_index__';

/** Options of {@link keychainStore}. */
export interface KeychainStoreOptions {
  /**
   * The keychain service the entries are filed under (Secret Service attribute `service`). Use one
   * service per bot or environment.
   * @default 'exkeys'
   */
  service?: string;
}

interface KeychainIndex {
  v: 1;
  variables: Record<string, { rotatedAt: string | null }>;
}

// On Linux the binding silently falls back to the kernel keyring, which forgets everything at reboot.
// Pinning Secret Service turns that into an error we can explain.
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

const HOW_TO_FIX =
  'On Linux, exkeys needs a running, unlocked Secret Service (GNOME Keyring, KWallet or KeePassXC) on the ' +
  'D-Bus session bus. In a desktop session it is already there. On a headless machine start one with ' +
  '`dbus-run-session -- sh -c \'printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock ' +
  "--components=secrets; <your command>'`, or keep keys in an age keystore (ageStore) or in secret " +
  'files (secretFilesStore) instead.';

function unavailable(service: string, why: string, cause?: unknown): KeystoreError {
  return new KeystoreError(
    'unavailable',
    `The OS keychain (service "${service}") is unavailable: ${why}. ${HOW_TO_FIX}`,
    {
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

function assertReachable(service: string): void {
  if (process.platform !== 'linux') return;
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw unavailable(
      service,
      'there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)',
    );
  }
}

// The binding's messages carry no values, but redact anyway: a backend could echo its input.
function fromBinding(service: string, error: unknown, secrets: readonly string[]): KeystoreError {
  const raw = error instanceof Error ? error.message : String(error);
  const message = redactText(raw, secrets);
  let why = `the keychain backend failed (${message})`;
  if (/no result found/i.test(message)) {
    why =
      'the keyring is locked or has no default collection (unlock it, e.g. log into the desktop session)';
  } else if (/org\.freedesktop\.secrets|ServiceUnknown/i.test(message)) {
    why =
      'no Secret Service (GNOME Keyring, KWallet, KeePassXC) is running on the D-Bus session bus';
  }
  return unavailable(service, why, new Error(message));
}

/**
 * A store kept in the OS keychain. Each variable is one entry (account = variable name) under
 * `service`; the entry `__exkeys_index__` lists the names and rotation times.
 *
 * On Linux it requires the Secret Service and never falls back to the kernel keyring: when there is
 * no D-Bus session or no unlocked keyring, every method throws `KeystoreError` code `unavailable`
 * with instructions.
 *
 * Writes from one process are serialised; two processes writing the same service at the same moment
 * can lose an index update, so let one process (or the CLI) manage a keychain service.
 *
 * @example
 * ```ts
 * const store = keychainStore({ service: 'my-bot' });
 * await store.write({ BYBIT_API_KEY: key, BYBIT_API_SECRET: secret });
 * await loadApiKeys({ stores: [store] });
 * ```
 */
export function keychainStore(
  options: KeychainStoreOptions = {},
): CredentialStore & { readonly kind: 'keychain' } {
  const service = options.service ?? 'exkeys';
  if (service === '') throw new TypeError('keychainStore: `service` must not be empty');
  let queue: Promise<unknown> = Promise.resolve();

  function serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  }

  async function entry(account: string): Promise<AsyncEntry> {
    try {
      // Loaded on first use: the native module costs ~35 ms of start-up. A missing package is
      // reported before anything else, whatever the session: installing it is the first fix.
      const { AsyncEntry } = await loadKeyring();
      assertReachable(service);
      return new AsyncEntry(service, account, ENTRY_OPTIONS);
    } catch (error) {
      if (KeystoreError.isInstance(error)) throw error;
      throw fromBinding(service, error, []);
    }
  }

  async function get(account: string): Promise<string | null> {
    const e = await entry(account);
    try {
      return await e.getPassword();
    } catch (error) {
      throw fromBinding(service, error, []);
    }
  }

  async function set(account: string, value: string): Promise<void> {
    const e = await entry(account);
    try {
      await e.setPassword(value);
    } catch (error) {
      throw fromBinding(service, error, [value]);
    }
  }

  async function remove(account: string): Promise<void> {
    const e = await entry(account);
    try {
      await e.deleteCredential();
    } catch (error) {
      throw fromBinding(service, error, []);
    }
  }

  async function readIndex(): Promise<KeychainIndex> {
    const text = await get(KEYCHAIN_INDEX_ACCOUNT);
    if (text === null) return { v: 1, variables: {} };
    try {
      const parsed = JSON.parse(text) as KeychainIndex;
      if (parsed?.v === 1 && typeof parsed.variables === 'object' && parsed.variables !== null) {
        return parsed;
      }
    } catch {}
    throw new KeystoreError(
      'corrupted',
      `The exkeys index entry "${KEYCHAIN_INDEX_ACCOUNT}" in keychain service "${service}" is not valid. ` +
        'Delete that entry (e.g. `secret-tool clear service ' +
        `${service} username ${KEYCHAIN_INDEX_ACCOUNT}\`) and write the keys again.`,
    );
  }

  async function readValues(index: KeychainIndex): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    for (const name of Object.keys(index.variables).sort()) {
      const value = await get(name);
      if (value !== null) values.set(name, value);
    }
    return values;
  }

  function listed(index: KeychainIndex): StoredVariableInfo[] {
    return Object.entries(index.variables)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, info]) => ({ name, rotatedAt: info.rotatedAt }));
  }

  function checkName(name: string): void {
    if (name === '' || name === KEYCHAIN_INDEX_ACCOUNT) {
      throw new TypeError(`keychainStore: "${name}" cannot be used as a variable name`);
    }
  }

  async function applyChanges(
    changes: StoreChanges,
    writeOptions: StoreWriteOptions = {},
  ): Promise<void> {
    const names = Object.keys(changes);
    names.forEach(checkName);
    const index = await readIndex();
    // Values first, index last: a crash leaves at worst an unlisted entry, never a listed missing one.
    for (const name of names) {
      const value = changes[name];
      if (value === null || value === undefined) {
        await remove(name);
        delete index.variables[name];
      } else {
        await set(name, value);
        index.variables[name] = {
          rotatedAt: writeOptions.rotatedAt?.[name] ?? index.variables[name]?.rotatedAt ?? null,
        };
      }
    }
    for (const [name, rotatedAt] of Object.entries(writeOptions.rotatedAt ?? {})) {
      const known = index.variables[name];
      if (known) known.rotatedAt = rotatedAt;
    }
    await set(KEYCHAIN_INDEX_ACCOUNT, JSON.stringify(index));
  }

  return {
    kind: 'keychain',
    location: `keychain service "${service}"`,
    readOnly: false,
    async readAll() {
      return readValues(await readIndex());
    },
    write(changes, writeOptions) {
      return serialised(() => applyChanges(changes, writeOptions));
    },
    delete(names) {
      return serialised(() => applyChanges(Object.fromEntries(names.map((name) => [name, null]))));
    },
    async list(): Promise<StoredVariableInfo[]> {
      return listed(await readIndex());
    },
    async snapshot(): Promise<StoreSnapshot> {
      const index = await readIndex();
      return { values: await readValues(index), variables: listed(index) };
    },
  };
}
