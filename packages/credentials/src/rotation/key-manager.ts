/**
 * Key management: what an exchange package tells the kit about its sub-account key API (read a
 * key, create, list and delete sub-account keys with a master key), and `defineKeyManager`, which
 * binds those calls to clients built from validated credentials. `rotateKey` drives a manager.
 * @module
 */
import { KeyRotationError, KeyVerificationError } from '../errors.js';
import type { ExchangeClientOptions } from '../exchange/client-options.js';
import { createExchangeClient } from '../exchange/create-client.js';
import type { ExchangeSpec } from '../exchange/exchange-spec.js';
import { isUnreadableField } from '../exchange/permission-table.js';
import { redactError, toVerificationError } from '../exchange/verification-error.js';
import { verifyExchangeKey } from '../exchange/verify-key.js';
import type { KeyReport, PermissionGrant } from '../policy.js';
import type { ValidatedCredentials } from '../validated-credentials.js';

/** What the exchange says about the key being rotated. Holds no secret. */
export interface ManagedKey {
  /** The sub-account the key belongs to, as the create call takes it (Bybit sub UID, OKX `subAcct`). */
  account: string;
  /** Every permission of the key, classified by the exchange's permission table. */
  grants: PermissionGrant[];
  /** The IP whitelist; empty when the key is not bound to IP addresses. */
  ips: string[];
  /** The key's label (Bybit `note`, OKX `label`). */
  label: string;
}

/** What `create` is asked for. */
export interface NewKeyRequest {
  /** The sub-account, from {@link ManagedKey.account}. */
  account: string;
  /** The permissions to grant, as the exchange spells them (never a fund-moving one). */
  grants: string[];
  /** The IP whitelist; empty only when rotation was told to allow a key without one. */
  ips: string[];
  /** The label that marks the key as made by exkeys. */
  label: string;
  /** OKX: the passphrase chosen here for the new key. */
  passphrase?: string;
  /** Binance: the SPKI PEM public key of a key pair generated here; the private half stays here. */
  publicKey?: string;
}

/** A key the exchange created. `apiSecret` is absent when the secret was generated here. */
export interface CreatedKey {
  apiKey: string;
  apiSecret?: string;
}

/** One key of a sub-account, as the admin key lists them. */
export interface ListedKey {
  apiKey: string;
  label: string;
}

/** Endpoint names, for messages and the `--dry-run` plan. */
export interface KeyManagementEndpoints {
  describe: string;
  create: string;
  list: string;
  remove: string;
}

/**
 * An exchange's sub-account key API, as ccxt calls. Each call may throw `unreadableField(...)` for
 * an answer it cannot read; ccxt's errors are mapped with the exchange's error table.
 */
export interface KeyManagementSpec<C> {
  /** The endpoints each call uses. */
  endpoints: KeyManagementEndpoints;
  /**
   * Where a new key's secret comes from: `exchange` (the create answer returns it) or `ed25519`
   * (a key pair generated here; only the public key is sent).
   */
  secret: 'exchange' | 'ed25519';
  /** True when a new key needs a passphrase chosen here (OKX). @default false */
  passphrase?: boolean;
  /** Reads the key being rotated: `bot` is a client of that key, `admin` of the master key. */
  describe: (clients: { bot: C; admin: C }, apiKey: string) => Promise<ManagedKey>;
  /** Creates a sub-account key with the admin client. */
  create: (admin: C, request: NewKeyRequest) => Promise<CreatedKey>;
  /** Every key of a sub-account, with the admin client. */
  list: (admin: C, account: string) => Promise<ListedKey[]>;
  /** Deletes a sub-account key with the admin client. */
  remove: (admin: C, account: string, apiKey: string) => Promise<void>;
}

/** An exchange's key manager: the {@link KeyManagementSpec} bound to validated credentials. */
export interface KeyManager<
  E extends string = string,
  O extends ExchangeClientOptions = ExchangeClientOptions,
> {
  /** The exchange id, e.g. `bybit`. */
  readonly exchange: E;
  /** Display name, e.g. `Bybit`. */
  readonly name: string;
  /** See {@link KeyManagementSpec.secret}. */
  readonly secret: 'exchange' | 'ed25519';
  /** See {@link KeyManagementSpec.passphrase}. */
  readonly passphrase: boolean;
  /** See {@link KeyManagementSpec.endpoints}. */
  readonly endpoints: KeyManagementEndpoints;
  describe(
    bot: ValidatedCredentials<E>,
    admin: ValidatedCredentials<E>,
    options?: O,
  ): Promise<ManagedKey>;
  create(admin: ValidatedCredentials<E>, request: NewKeyRequest, options?: O): Promise<CreatedKey>;
  list(admin: ValidatedCredentials<E>, account: string, options?: O): Promise<ListedKey[]>;
  remove(
    admin: ValidatedCredentials<E>,
    account: string,
    apiKey: string,
    options?: O,
  ): Promise<void>;
  /** The exchange's live key verification (`verifyBybitKey` and friends). */
  verify(creds: ValidatedCredentials<E>, options?: O): Promise<KeyReport>;
}

/** The parts of a ccxt client read after a failed call. */
interface LastResponse {
  enableLastJsonResponse: boolean;
  last_json_response: unknown;
}

/**
 * Binds `management` to `spec`: every call builds its clients with `createExchangeClient` and turns
 * failures into a `KeyRotationError` (`unreadable-response`, `admin-refused`, `exchange-refused`)
 * or, for an authentication failure of the key itself, a `KeyVerificationError`.
 */
export function defineKeyManager<
  E extends string,
  C,
  O extends ExchangeClientOptions = ExchangeClientOptions,
>(spec: ExchangeSpec<E, C, O>, management: KeyManagementSpec<C>): KeyManager<E, O> {
  const client = async (creds: ValidatedCredentials<E>, options?: O): Promise<C> => {
    const made = await createExchangeClient(spec, creds, options);
    (made as unknown as LastResponse).enableLastJsonResponse = true;
    return made;
  };
  async function run<T>(
    step: string,
    endpoint: string,
    creds: ValidatedCredentials<E>,
    made: C,
    call: () => Promise<T>,
  ): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw managementError(spec, step, endpoint, creds, made, error);
    }
  }
  const { endpoints } = management;
  return {
    exchange: spec.id,
    name: spec.name,
    secret: management.secret,
    passphrase: management.passphrase === true,
    endpoints,
    async describe(bot, admin, options) {
      const clients = { bot: await client(bot, options), admin: await client(admin, options) };
      return run('describe', endpoints.describe, bot, clients.bot, () =>
        management.describe(clients, bot.apiKey),
      );
    },
    async create(admin, request, options) {
      const made = await client(admin, options);
      return run('create', endpoints.create, admin, made, () => management.create(made, request));
    },
    async list(admin, account, options) {
      const made = await client(admin, options);
      return run('list', endpoints.list, admin, made, () => management.list(made, account));
    },
    async remove(admin, account, apiKey, options) {
      const made = await client(admin, options);
      return run('delete', endpoints.remove, admin, made, () =>
        management.remove(made, account, apiKey),
      );
    },
    verify: (creds, options) => verifyExchangeKey(spec, creds, options),
  };
}

function managementError<E extends string, C, O extends ExchangeClientOptions>(
  spec: ExchangeSpec<E, C, O>,
  step: string,
  endpoint: string,
  creds: ValidatedCredentials<E>,
  client: C,
  error: unknown,
): Error {
  if (KeyRotationError.isInstance(error)) return error;
  if (isUnreadableField(error)) {
    return new KeyRotationError(
      spec.id,
      'unreadable-response',
      `${spec.name} answered ${endpoint} with a response exkeys cannot read: the field ${error.field} is missing or malformed. Rotation stopped at this step (${step}); retry later, and if this persists, report it with the exkeys version.`,
      { step },
    );
  }
  const body = (client as unknown as LastResponse).last_json_response;
  const verification = toVerificationError(error, {
    exchange: spec.id,
    name: spec.name,
    errors: spec.errors,
    creds,
    body,
    origin: 'its API',
  });
  const code = exchangeCode(body);
  // Binance answers a missing permission as it answers an unknown key (-2015).
  const refusedAdmin =
    verification?.reason === 'permission-denied' || verification?.reason === 'invalid-key';
  if (step !== 'describe' && refusedAdmin) {
    return new KeyRotationError(
      spec.id,
      'admin-refused',
      `${spec.name} refused ${endpoint} for the admin key (profile ${creds.profile})${code ? ` (error ${code})` : ''}: it must be a master-account key allowed to manage sub-account keys. Give it that permission on the exchange's API page, or use another admin profile.`,
      { step, exchangeCode: code, cause: verification },
    );
  }
  if (KeyVerificationError.isInstance(verification)) return verification;
  return new KeyRotationError(
    spec.id,
    'exchange-refused',
    `${spec.name} refused ${endpoint}${code ? ` (error ${code})` : ''}. Rotation stopped at this step (${step}).`,
    { step, exchangeCode: code, cause: redactError(error, creds) },
  );
}

function exchangeCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as { retCode?: unknown; code?: unknown };
  const code = record.retCode ?? record.code;
  return (typeof code === 'string' || typeof code === 'number') && String(code) !== '0'
    ? String(code)
    : undefined;
}
