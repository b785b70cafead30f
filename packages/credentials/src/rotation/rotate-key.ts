/**
 * `rotateKey`: hands-off rotation of a sub-account key through the exchange's key API. It reads the
 * key's permissions and IP whitelist, creates a new key with the same ones (never a fund-moving
 * permission), verifies and audits it, swaps it into the store, waits a grace period, deletes the
 * old key and proves the exchange refuses it. A journal written before each step lets a killed
 * rotation be finished or rolled back by the next call.
 * @module
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CredentialsError, KeyRotationError, KeyVerificationError } from '../errors.js';
import type { ExchangeClientOptions } from '../exchange/client-options.js';
import { ADMIN_PROFILE, isAdminProfile, normalizeProfile, variableNames } from '../names.js';
import { assertSafeKey, type KeyPolicy } from '../policy.js';
import { maskKey } from '../redact.js';
import { getCredentials } from '../retrieve.js';
import { withFileLock } from '../stores/atomic-file.js';
import { readStoreSnapshot } from '../stores/store.js';
import { type StoreOption, storeFrom } from '../stores/store-option.js';
import type { ValidatedCredentials } from '../validated-credentials.js';
import { updateApiKey } from '../write-credentials.js';
import type { KeyManager, ManagedKey } from './key-manager.js';
import {
  defaultStateDir,
  fingerprint,
  journalPath,
  type RotationJournal,
  type RotationStep,
  readJournal,
  removeJournal,
  writeJournal,
} from './rotation-journal.js';

/** Options of {@link rotateKey}. */
export interface RotateKeyOptions<E extends string, O extends ExchangeClientOptions>
  extends StoreOption {
  /** The exchange's key manager, e.g. `bybitKeyManager` from `@exkeys/bybit`. */
  manager: KeyManager<E, O>;
  /** The bot profile whose key is rotated. @default 'default' */
  profile?: string;
  /** The admin profile holding the master key (see `isAdminProfile`). @default 'ADMIN' */
  adminProfile?: string;
  /** Seconds to wait between the swap and deleting the old key, so running bots pick the new one up. @default 30 */
  graceSeconds?: number;
  /**
   * Rotate a key without an IP whitelist into another one without. Unbound keys lapse (Bybit after
   * 90 days, OKX after 14 days unused), so this is refused unless set.
   * @default false
   */
  allowNoIp?: boolean;
  /** Read the key and return the plan; change nothing. @default false */
  dryRun?: boolean;
  /** Only finish or roll back an unfinished rotation; start no new one. @default false */
  resume?: boolean;
  /** Client options for every call (`baseUrl`, `testnet`, `demo`, OKX `region`). */
  clientOptions?: O;
  /** The audit the new key must pass. @default { purpose: 'trade' } */
  policy?: KeyPolicy;
  /** Where the journal lives. @default `$XDG_STATE_HOME/exkeys`, else `~/.local/state/exkeys` */
  stateDir?: string;
  /** Told about each step as it starts and ends. Events hold no secret. */
  onStep?: (event: RotationEvent) => void;
}

/** One step of a rotation, for progress output and `--json`. Holds no secret. */
export interface RotationEvent {
  /** `describe`, `sweep`, `create`, `verify`, `swap`, `grace`, `delete`, `confirm`, `resume`, `rollback`. */
  step: RotationStep | 'describe' | 'sweep' | 'resume' | 'rollback';
  status: 'start' | 'done';
  /** What happens or happened, e.g. `Created key abc123… with 3 permissions`. */
  message: string;
}

/** What {@link rotateKey} did. Holds key previews only. */
export interface RotationResult {
  exchange: string;
  profile: string;
  /**
   * `rotated`; `planned` (dry run); `finished` or `rolled-back` (an unfinished rotation settled by
   * `resume`); `nothing-to-resume`.
   */
  outcome: 'rotated' | 'planned' | 'finished' | 'rolled-back' | 'nothing-to-resume';
  /** Preview of the key replaced (or, for a plan, to be replaced). */
  oldKey: string;
  /** Preview of the key now in the store, `null` when none was created. */
  newKey: string | null;
  /** Permissions given to the new key. */
  grants: string[];
  /** Fund-moving permissions of the old key that were not copied. */
  dropped: string[];
  /** The IP whitelist of the new key. */
  ips: string[];
  /** Keys with exkeys' label that no journal knew, deleted on the exchange. */
  orphansDeleted: number;
  /** An unfinished rotation settled before this one: `finished` or `rolled-back`. */
  settled?: 'finished' | 'rolled-back';
  /** The steps a dry run would take. */
  plan?: string[];
}

/** Permission classes a rotated key never gets. */
const FUND_MOVING: ReadonlySet<string> = new Set(['withdraw', 'transfer', 'payout']);

/** Every key exkeys creates is labelled `exkeys-<profile>-<id>`. */
function labelPrefix(profile: string): string {
  return `exkeys-${profile.toLowerCase()}-`;
}

/**
 * Rotates the key of `profile` through the exchange's sub-account key API, with the master key of
 * `adminProfile`. An unfinished earlier rotation of the same key is settled first.
 * @throws {KeyRotationError} for a key that cannot be rotated safely or an exchange refusal; the
 *   message says what changed (before the swap: nothing that was not undone).
 * @throws {CredentialsError} for missing or invalid bot or admin credentials.
 * @throws {KeyVerificationError} when the bot or admin key itself is refused.
 */
export async function rotateKey<E extends string, O extends ExchangeClientOptions>(
  options: RotateKeyOptions<E, O>,
): Promise<RotationResult> {
  const { manager } = options;
  const store = storeFrom(options);
  const profile = normalizeProfile(options.profile);
  const adminProfile = normalizeProfile(options.adminProfile ?? ADMIN_PROFILE);
  if (!isAdminProfile(adminProfile)) {
    throw new CredentialsError(
      'admin-profile',
      `The admin profile must be named ADMIN or start with ADMIN (got ${adminProfile}), so that bots never load it.`,
    );
  }
  const path = journalPath(
    options.stateDir ?? defaultStateDir(),
    store.location,
    manager.exchange,
    profile,
  );
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const emit = options.onStep ?? (() => {});
  const names = variableNames(manager.exchange, profile);
  const readEnv = async (): Promise<Record<string, string>> =>
    Object.fromEntries((await readStoreSnapshot(store)).values);
  const co = options.clientOptions;

  return withFileLock<RotationResult>(
    path,
    async () => {
      let env = await readEnv();
      const admin = getCredentials(manager.exchange, {
        profile: adminProfile,
        env,
        admin: true,
      }) as ValidatedCredentials<E>;
      const journal = await readJournal(path, manager.exchange);
      let settled: 'finished' | 'rolled-back' | undefined;
      if (journal !== undefined) {
        emit({
          step: 'resume',
          status: 'start',
          message: `Found an unfinished rotation (step ${journal.step}).`,
        });
        settled = await settle(journal, env);
        env = await readEnv();
      }
      if (options.resume) {
        return {
          ...empty(env[names.key]),
          outcome: settled ?? 'nothing-to-resume',
          newKey: settled === 'finished' ? maskKey(env[names.key]) : null,
        };
      }
      const result = await rotate(env, admin);
      return settled === undefined ? result : { ...result, settled };
    },
    { timeoutMs: 15_000 },
  ).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    throw new KeyRotationError(
      manager.exchange,
      'journal',
      `Another rotation of the ${manager.name} key (profile ${profile}) holds the lock on ${path}. Nothing was changed: wait for it to finish, or run again with resume once it has stopped.`,
      { step: 'lock', cause: error },
    );
  });

  function empty(current: string | undefined): RotationResult {
    return {
      exchange: manager.exchange,
      profile,
      outcome: 'nothing-to-resume',
      oldKey: maskKey(current),
      newKey: null,
      grants: [],
      dropped: [],
      ips: [],
      orphansDeleted: 0,
    };
  }

  function botCredentials(env: Record<string, string>): ValidatedCredentials<E> {
    return getCredentials(manager.exchange, { profile, env }) as ValidatedCredentials<E>;
  }

  async function rotate(
    env: Record<string, string>,
    admin: ValidatedCredentials<E>,
  ): Promise<RotationResult> {
    const bot = botCredentials(env);
    emit({
      step: 'describe',
      status: 'start',
      message: `Reading key ${maskKey(bot.apiKey)} (${manager.endpoints.describe}).`,
    });
    const key = await manager.describe(bot, admin, co);
    const { copy, dropped } = template(key);
    emit({
      step: 'describe',
      status: 'done',
      message: `Key ${maskKey(bot.apiKey)} of sub-account ${key.account}: ${describeGrants(copy)}; IP whitelist ${key.ips.length > 0 ? key.ips.join(', ') : 'none'}${dropped.length > 0 ? `; not copied (fund-moving): ${dropped.join(', ')}` : ''}.`,
    });
    const base: RotationResult = {
      exchange: manager.exchange,
      profile,
      outcome: 'planned',
      oldKey: maskKey(bot.apiKey),
      newKey: null,
      grants: copy,
      dropped,
      ips: key.ips,
      orphansDeleted: 0,
    };
    if (options.dryRun) {
      return { ...base, plan: planOf(key, copy) };
    }

    const orphansDeleted = await sweep(admin, key.account, env);
    const id = randomBytes(4).toString('hex');
    const now = new Date().toISOString();
    const journal: RotationJournal = {
      version: 1,
      id,
      exchange: manager.exchange,
      profile,
      adminProfile,
      store: store.location,
      account: key.account,
      label: `${labelPrefix(profile)}${id}`,
      oldKey: fingerprint(bot.apiKey),
      newKey: null,
      step: 'create',
      startedAt: now,
      updatedAt: now,
    };
    const record = async (step: RotationStep, changes: Partial<RotationJournal> = {}) => {
      Object.assign(journal, changes, { step, updatedAt: new Date().toISOString() });
      await writeJournal(path, journal);
    };
    await record('create');

    // The new secret lives in memory until the swap writes it to the store, and nowhere else.
    const pair = manager.secret === 'ed25519' ? generateKeyPairSync('ed25519') : undefined;
    const passphrase = manager.passphrase ? newPassphrase() : undefined;
    emit({
      step: 'create',
      status: 'start',
      message: `Creating a key labelled ${journal.label} (${manager.endpoints.create}).`,
    });
    let created: Awaited<ReturnType<typeof manager.create>>;
    try {
      created = await manager.create(
        admin,
        {
          account: key.account,
          grants: copy,
          ips: key.ips,
          label: journal.label,
          ...(passphrase === undefined ? {} : { passphrase }),
          ...(pair === undefined
            ? {}
            : {
                publicKey: (
                  pair.publicKey.export({ type: 'spki', format: 'pem' }) as string
                ).trimEnd(),
              }),
        },
        co,
      );
    } catch (error) {
      // The exchange may have created the key before failing to answer: find it by its label.
      await rollback(journal, admin);
      throw error;
    }
    const secret =
      created.apiSecret ??
      (pair ? (pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).trimEnd() : '');
    await record('verify', { newKey: fingerprint(created.apiKey) });
    emit({ step: 'create', status: 'done', message: `Created key ${maskKey(created.apiKey)}.` });

    emit({
      step: 'verify',
      status: 'start',
      message: `Verifying key ${maskKey(created.apiKey)} live and auditing it.`,
    });
    try {
      const candidate = getCredentials(manager.exchange, {
        profile,
        env: {
          [names.key]: created.apiKey,
          [names.secret]: secret,
          ...(passphrase === undefined ? {} : { [names.passphrase]: passphrase }),
        },
      }) as ValidatedCredentials<E>;
      const report = await manager.verify(candidate, co);
      assertSafeKey(report, {
        ...(options.policy ?? { purpose: 'trade' }),
        requireIpWhitelist: key.ips.length > 0,
      });
    } catch (error) {
      await rollback(journal, admin);
      throw new KeyRotationError(
        manager.exchange,
        'new-key-unsafe',
        `The new ${manager.name} key ${maskKey(created.apiKey)} failed verification or the audit (${(error as Error).message.split('\n')[0]}); it was deleted again and the store still holds key ${maskKey(bot.apiKey)}.`,
        { step: 'verify', cause: error },
      );
    }
    emit({
      step: 'verify',
      status: 'done',
      message: `Key ${maskKey(created.apiKey)} works and passes the audit.`,
    });

    await record('swap');
    emit({
      step: 'swap',
      status: 'start',
      message: `Writing key ${maskKey(created.apiKey)} to ${store.location}.`,
    });
    await updateApiKey(
      manager.exchange,
      {
        apiKey: created.apiKey,
        apiSecret: secret,
        ...(passphrase === undefined ? {} : { passphrase }),
      },
      { store, profile, env: {} },
    );
    emit({
      step: 'swap',
      status: 'done',
      message: `${store.location} now holds key ${maskKey(created.apiKey)}.`,
    });

    const grace = Math.max(0, options.graceSeconds ?? 30);
    await record('grace');
    emit({
      step: 'grace',
      status: 'start',
      message: `Waiting ${grace} s for running bots to pick up the new key.`,
    });
    if (grace > 0) await sleep(grace * 1000);
    emit({ step: 'grace', status: 'done', message: 'Grace period over.' });

    await record('delete');
    emit({
      step: 'delete',
      status: 'start',
      message: `Deleting the old key ${maskKey(bot.apiKey)} (${manager.endpoints.remove}).`,
    });
    await manager.remove(admin, key.account, bot.apiKey, co);
    emit({ step: 'delete', status: 'done', message: `Deleted key ${maskKey(bot.apiKey)}.` });

    await record('confirm');
    emit({
      step: 'confirm',
      status: 'start',
      message: `Checking that ${manager.name} refuses the old key.`,
    });
    await proveRefused(bot, admin, key.account);
    await removeJournal(path);
    emit({
      step: 'confirm',
      status: 'done',
      message: `${manager.name} refuses the old key ${maskKey(bot.apiKey)}.`,
    });
    return { ...base, outcome: 'rotated', newKey: maskKey(created.apiKey), orphansDeleted };
  }

  /** The permissions to copy (read and trade) and those left out; fails on an unknown one. */
  function template(key: ManagedKey): { copy: string[]; dropped: string[] } {
    const unknown = key.grants.filter((g) => g.class === 'unknown');
    if (unknown.length > 0) {
      throw new KeyRotationError(
        manager.exchange,
        'unknown-permission',
        `The ${manager.name} key (profile ${profile}) holds permissions exkeys does not know (${unknown.map((g) => g.name).join(', ')}), so it cannot tell whether copying them is safe. Nothing was changed; remove them from the key, or rotate it by hand.`,
        { step: 'describe' },
      );
    }
    const copy = key.grants.filter((g) => !FUND_MOVING.has(g.class)).map((g) => g.name);
    const dropped = key.grants.filter((g) => FUND_MOVING.has(g.class)).map((g) => g.name);
    if (copy.length === 0) {
      throw new KeyRotationError(
        manager.exchange,
        'no-permission-left',
        `Without its fund-moving permissions (${dropped.join(', ') || 'none'}) the ${manager.name} key (profile ${profile}) would grant nothing. Nothing was changed.`,
        { step: 'describe' },
      );
    }
    if (key.ips.length === 0 && !options.allowNoIp) {
      throw new KeyRotationError(
        manager.exchange,
        'no-ip-whitelist',
        `The ${manager.name} key (profile ${profile}) has no IP whitelist, and a new key without one lapses (Bybit after 90 days, OKX after 14 days unused). Nothing was changed. Bind the key to your bot's IP addresses on the exchange first, or pass allowNoIp (--allow-no-ip) to rotate it anyway.`,
        { step: 'describe' },
      );
    }
    return { copy, dropped };
  }

  function planOf(key: ManagedKey, copy: string[]): string[] {
    return [
      `Delete keys labelled ${labelPrefix(profile)}… on sub-account ${key.account} that the store does not hold (${manager.endpoints.list}, ${manager.endpoints.remove})`,
      `Create a key on sub-account ${key.account} with ${copy.join(', ')} and IP whitelist ${key.ips.join(', ') || 'none'} (${manager.endpoints.create})${manager.secret === 'ed25519' ? ', from an Ed25519 key pair generated here (only the public key is sent)' : ''}`,
      'Verify the new key live and audit it; delete it again if it fails',
      `Write it to ${store.location} (profile ${profile}) with its rotation time`,
      `Wait ${Math.max(0, options.graceSeconds ?? 30)} s for running bots`,
      `Delete the old key (${manager.endpoints.remove})`,
      'Check that the exchange refuses the old key',
    ];
  }

  /** Deletes keys with this profile's label that the store does not hold. */
  async function sweep(
    admin: ValidatedCredentials<E>,
    account: string,
    env: Record<string, string>,
  ): Promise<number> {
    const held = new Set(Object.values(env));
    const listed = await manager.list(admin, account, co);
    const orphans = listed.filter(
      (k) => k.label.startsWith(labelPrefix(profile)) && !held.has(k.apiKey),
    );
    if (orphans.length === 0) return 0;
    emit({
      step: 'sweep',
      status: 'start',
      message: `Deleting ${orphans.length} key(s) labelled ${labelPrefix(profile)}… that no rotation finished.`,
    });
    for (const orphan of orphans) await manager.remove(admin, account, orphan.apiKey, co);
    emit({
      step: 'sweep',
      status: 'done',
      message: `Deleted ${orphans.map((k) => maskKey(k.apiKey)).join(', ')}.`,
    });
    return orphans.length;
  }

  /** Deletes the key a journal may have created (by fingerprint or label) and the journal. */
  async function rollback(journal: RotationJournal, admin: ValidatedCredentials<E>): Promise<void> {
    emit({
      step: 'rollback',
      status: 'start',
      message: `Rolling back: deleting the key labelled ${journal.label}, if the exchange created it.`,
    });
    const listed = await manager.list(admin, journal.account, co);
    const made = listed.filter(
      (k) =>
        fingerprint(k.apiKey) !== journal.oldKey &&
        (k.label === journal.label ||
          (journal.newKey !== null && fingerprint(k.apiKey) === journal.newKey)),
    );
    for (const k of made) await manager.remove(admin, journal.account, k.apiKey, co);
    await removeJournal(path);
    emit({
      step: 'rollback',
      status: 'done',
      message: `Rolled back${made.length > 0 ? `: deleted ${made.map((k) => maskKey(k.apiKey)).join(', ')}` : ''}; the store keeps its key.`,
    });
  }

  /**
   * Finishes or rolls back an unfinished rotation, decided by the key the store holds: the old key
   * means the swap never happened (roll back), the new key means it did (finish).
   */
  async function settle(
    journal: RotationJournal,
    env: Record<string, string>,
  ): Promise<'finished' | 'rolled-back'> {
    const admin = getCredentials(manager.exchange, {
      profile: journal.adminProfile,
      env,
      admin: true,
    }) as ValidatedCredentials<E>;
    const held = env[names.key] ? fingerprint(env[names.key] ?? '') : '';
    if (held === journal.oldKey) {
      await rollback(journal, admin);
      return 'rolled-back';
    }
    if (journal.newKey === null || held !== journal.newKey) {
      throw new KeyRotationError(
        manager.exchange,
        'store-changed',
        `An unfinished rotation of the ${manager.name} key (profile ${profile}) is recorded in ${path}, but ${store.location} holds neither its old nor its new key. Nothing was changed: check the keys on the exchange and in the store, then delete the journal file.`,
        { step: 'resume' },
      );
    }
    // The store holds the new key: make sure it works before the old one goes.
    const current = botCredentials(env);
    await manager.verify(current, co);
    const listed = await manager.list(admin, journal.account, co);
    const old = listed.find((k) => fingerprint(k.apiKey) === journal.oldKey);
    if (old !== undefined) {
      emit({
        step: 'delete',
        status: 'start',
        message: `Deleting the old key ${maskKey(old.apiKey)}.`,
      });
      await manager.remove(admin, journal.account, old.apiKey, co);
    }
    const after = await manager.list(admin, journal.account, co);
    if (after.some((k) => fingerprint(k.apiKey) === journal.oldKey)) {
      throw oldKeyWorks();
    }
    await removeJournal(path);
    emit({
      step: 'resume',
      status: 'done',
      message: `Finished the rotation: the store holds key ${maskKey(current.apiKey)} and the old key is gone.`,
    });
    return 'finished';
  }

  /** The old key must now be refused as unknown, and gone from the sub-account's list. */
  async function proveRefused(
    old: ValidatedCredentials<E>,
    admin: ValidatedCredentials<E>,
    account: string,
  ): Promise<void> {
    try {
      await manager.verify(old, co);
    } catch (error) {
      if (KeyVerificationError.isInstance(error) && error.reason === 'invalid-key') {
        const listed = await manager.list(admin, account, co);
        if (!listed.some((k) => k.apiKey === old.apiKey)) return;
      } else throw error;
    }
    throw oldKeyWorks();
  }

  function oldKeyWorks(): KeyRotationError {
    return new KeyRotationError(
      manager.exchange,
      'old-key-still-works',
      `${manager.name} still accepts the old key of profile ${profile} after it was deleted. The store holds the new key. Run the rotation again with resume to retry the deletion, or delete the old key on the exchange's API page.`,
      { step: 'confirm' },
    );
  }
}

function describeGrants(grants: readonly string[]): string {
  return grants.length === 0 ? 'no permissions' : grants.join(', ');
}

/** A passphrase for a new OKX key: 24 characters of letters, digits and the symbols OKX requires. */
function newPassphrase(): string {
  const body = randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
  return `${body.slice(0, 20)}A1a!`;
}
