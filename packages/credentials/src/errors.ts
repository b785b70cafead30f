/**
 * The exkeys error family. Every error carries a stable `code` to switch on and a message that says
 * what to do next. No message, `cause` or stack ever contains a secret value: callers pass variable
 * names and masked previews only.
 * @module
 */

const marker = Symbol.for('exkeys.error');

/** Every stable error code. Subclasses narrow it. */
export type ExkeysErrorCode =
  | CredentialsErrorCode
  | KeystoreErrorCode
  | 'unsafe-key'
  | 'key-verification'
  | 'key-rotation';

/** Options accepted by every exkeys error constructor. */
export interface ExkeysErrorOptions {
  /** The underlying error. It must not contain a secret; pass a redacted copy when unsure. */
  cause?: unknown;
}

/**
 * Base class of every error thrown by exkeys. Use {@link ExkeysError.isInstance} rather than
 * `instanceof`: it still works when two copies of the package are installed.
 */
export class ExkeysError extends Error {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through Symbol.for() by isInstance
  private readonly [marker] = true;
  /** A stable machine-readable code. */
  readonly code: ExkeysErrorCode;

  constructor(code: ExkeysErrorCode, message: string, options: ExkeysErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExkeysError';
    this.code = code;
  }

  /** True when `error` is an exkeys error from any copy of this package. */
  static isInstance(error: unknown): error is ExkeysError {
    return hasMarker(error, marker);
  }
}

function hasMarker(error: unknown, symbol: symbol): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[symbol] === true
  );
}

/** One problem found in a credential variable. `variable` is a name, never a value. */
export interface CredentialIssue {
  /** Stable issue code, e.g. `missing`, `whitespace`, `placeholder`. */
  code: string;
  /** The environment variable concerned, e.g. `BYBIT_API_SECRET`. */
  variable: string;
  /** What is wrong and what to do. Never contains the value. */
  message: string;
}

const credentialsMarker = Symbol.for('exkeys.error.credentials');

/** Codes of a {@link CredentialsError}. */
export type CredentialsErrorCode =
  | 'invalid-credentials'
  | 'invalid-exchange'
  | 'invalid-profile'
  | 'unrepresentable-value'
  | 'wrong-exchange'
  | 'not-validated'
  | 'read-only-store'
  | 'admin-profile'
  | 'io';

/** Credentials are missing, malformed, or cannot be stored. Lists every problem by variable name. */
export class CredentialsError extends ExkeysError {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through Symbol.for() by isInstance
  private readonly [credentialsMarker] = true;
  declare readonly code: CredentialsErrorCode;
  /** Every problem found, by variable name. */
  readonly issues: readonly CredentialIssue[];

  constructor(
    code: CredentialsErrorCode,
    message: string,
    options: ExkeysErrorOptions & { issues?: readonly CredentialIssue[] } = {},
  ) {
    super(code, message, options);
    this.name = 'CredentialsError';
    this.issues = options.issues ?? [];
  }

  /** True when `error` is a `CredentialsError` from any copy of this package. */
  static override isInstance(error: unknown): error is CredentialsError {
    return hasMarker(error, credentialsMarker);
  }
}

const unsafeMarker = Symbol.for('exkeys.error.unsafe-key');

/**
 * Why a key was judged unsafe by `assertSafeKey`: it can withdraw or pay out funds, it holds a
 * permission exkeys does not know, it can trade but is a data key, it has no IP whitelist where
 * one is required, or its exchange does not report something the audit must check (`unchecked`).
 */
export type UnsafeKeyReason =
  | 'withdraw-enabled'
  | 'unknown-permission'
  | 'trade-on-data-key'
  | 'no-ip-whitelist'
  | 'unchecked';

/** A permission named by an {@link UnsafeKeyError}: as the exchange spells it, and its class. */
export interface NamedPermission {
  /** E.g. `FiatP2P.FiatP2POrder`, `enableWithdrawals`, `withdraw`. */
  readonly name: string;
  /** `withdraw`, `payout`, `trade`, `unknown`... (see `PermissionClass`). */
  readonly class: string;
}

/** A verified key has more power than the policy allows. */
export class UnsafeKeyError extends ExkeysError {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through Symbol.for() by isInstance
  private readonly [unsafeMarker] = true;
  /** Every reason the key was refused. */
  readonly reasons: readonly UnsafeKeyReason[];
  /** The exchange id, e.g. `bybit`. */
  readonly exchange: string;
  /** The profile name, `default` for the plain variable names. */
  readonly profile: string;
  /** The permissions behind the reasons (withdraw-class, unknown, trade on a data key). */
  readonly permissions: readonly NamedPermission[];

  constructor(
    exchange: string,
    profile: string,
    reasons: readonly UnsafeKeyReason[],
    message: string,
    options: ExkeysErrorOptions & { permissions?: readonly NamedPermission[] } = {},
  ) {
    super('unsafe-key', message, options);
    this.name = 'UnsafeKeyError';
    this.exchange = exchange;
    this.profile = profile;
    this.reasons = reasons;
    this.permissions = options.permissions ?? [];
  }

  /** True when `error` is an `UnsafeKeyError` from any copy of this package. */
  static override isInstance(error: unknown): error is UnsafeKeyError {
    return hasMarker(error, unsafeMarker);
  }
}

const verificationMarker = Symbol.for('exkeys.error.key-verification');

/**
 * Why live verification of a key failed. Switch on this, not on the message.
 * - `invalid-key`: unknown, deleted or revoked key;
 * - `bad-signature`: the secret does not belong to the key;
 * - `wrong-passphrase`: OKX passphrase mismatch;
 * - `ip-not-allowed`: this IP is not on the key's whitelist;
 * - `expired`: the key lapsed;
 * - `clock-skew`: the request timestamp is outside the exchange's window;
 * - `permission-denied`: the key lacks the permission the call needs;
 * - `region-restricted`: the exchange refuses this region or this domain for the key;
 * - `wrong-environment`: the key belongs to another environment (live, testnet, demo);
 * - `rate-limited`: too many requests; see `retryAfterMs`;
 * - `unreadable-response`: the answer lacks a field the audit needs, or it is malformed;
 * - `network`: the exchange could not be reached.
 */
export type KeyVerificationReason =
  | 'invalid-key'
  | 'bad-signature'
  | 'wrong-passphrase'
  | 'ip-not-allowed'
  | 'expired'
  | 'clock-skew'
  | 'permission-denied'
  | 'region-restricted'
  | 'wrong-environment'
  | 'rate-limited'
  | 'unreadable-response'
  | 'network';

/** Extra facts of a {@link KeyVerificationError}. */
export interface KeyVerificationErrorOptions extends ExkeysErrorOptions {
  /** The exchange's own error code. */
  exchangeCode?: string;
  /** For `rate-limited`: how long the exchange asks to wait, in ms, when it says. */
  retryAfterMs?: number;
  /** For `unreadable-response`: the endpoint, e.g. `GET /v5/user/query-api`. */
  endpoint?: string;
  /** For `unreadable-response`: the field that is missing or malformed, e.g. `result.permissions`. */
  field?: string;
}

/** The exchange rejected the key, or could not be reached, during live verification. */
export class KeyVerificationError extends ExkeysError {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through Symbol.for() by isInstance
  private readonly [verificationMarker] = true;
  /** Why verification failed. */
  readonly reason: KeyVerificationReason;
  /** The exchange id, e.g. `okx`. */
  readonly exchange: string;
  /** The exchange's own error code, when it sent one (e.g. `10003`, `-2015`, `50111`). */
  readonly exchangeCode: string | undefined;
  /** For `rate-limited`: the wait the exchange asked for, in ms, when it said. */
  readonly retryAfterMs: number | undefined;
  /** For `unreadable-response`: the endpoint whose answer could not be read. */
  readonly endpoint: string | undefined;
  /** For `unreadable-response`: the missing or malformed field (never its value). */
  readonly field: string | undefined;

  constructor(
    exchange: string,
    reason: KeyVerificationReason,
    message: string,
    options: KeyVerificationErrorOptions = {},
  ) {
    super('key-verification', message, options);
    this.name = 'KeyVerificationError';
    this.exchange = exchange;
    this.reason = reason;
    this.exchangeCode = options.exchangeCode;
    this.retryAfterMs = options.retryAfterMs;
    this.endpoint = options.endpoint;
    this.field = options.field;
  }

  /** True when `error` is a `KeyVerificationError` from any copy of this package. */
  static override isInstance(error: unknown): error is KeyVerificationError {
    return hasMarker(error, verificationMarker);
  }
}

const rotationMarker = Symbol.for('exkeys.error.key-rotation');

/**
 * Why `rotateKey` stopped. Switch on this, not on the message.
 * - `no-ip-whitelist`: the key has no IP whitelist and `allowNoIp` was not given;
 * - `master-key`: the key belongs to the master account; only sub-account keys are rotated;
 * - `unknown-permission`: the key holds a permission exkeys does not know, so it cannot be copied;
 * - `no-permission-left`: without its fund-moving permissions the key would grant nothing;
 * - `admin-refused`: the exchange refused a key-management call of the admin key;
 * - `exchange-refused`: the exchange refused a call for another reason (see `cause`);
 * - `unreadable-response`: an answer lacks a field rotation needs, or it is malformed;
 * - `new-key-unsafe`: the new key failed live verification or the audit, and was deleted again;
 * - `old-key-still-works`: the old key was deleted but the exchange still accepts it;
 * - `journal`: the rotation journal cannot be read or written;
 * - `store-changed`: the store no longer holds the key the journal started from.
 */
export type KeyRotationReason =
  | 'no-ip-whitelist'
  | 'master-key'
  | 'unknown-permission'
  | 'no-permission-left'
  | 'admin-refused'
  | 'exchange-refused'
  | 'unreadable-response'
  | 'new-key-unsafe'
  | 'old-key-still-works'
  | 'journal'
  | 'store-changed';

/** Extra facts of a {@link KeyRotationError}. */
export interface KeyRotationErrorOptions extends ExkeysErrorOptions {
  /** The rotation step that failed, e.g. `create`. */
  step?: string;
  /** The exchange's own error code, when it sent one. */
  exchangeCode?: string;
}

/** `rotateKey` could not rotate a key; the message says what changed (usually nothing) and what to do. */
export class KeyRotationError extends ExkeysError {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through Symbol.for() by isInstance
  private readonly [rotationMarker] = true;
  /** Why rotation stopped. */
  readonly reason: KeyRotationReason;
  /** The exchange id, e.g. `bybit`. */
  readonly exchange: string;
  /** The step that failed, e.g. `describe`, `create`, `verify`, `delete`. */
  readonly step: string | undefined;
  /** The exchange's own error code, when it sent one. */
  readonly exchangeCode: string | undefined;

  constructor(
    exchange: string,
    reason: KeyRotationReason,
    message: string,
    options: KeyRotationErrorOptions = {},
  ) {
    super('key-rotation', message, options);
    this.name = 'KeyRotationError';
    this.exchange = exchange;
    this.reason = reason;
    this.step = options.step;
    this.exchangeCode = options.exchangeCode;
  }

  /** True when `error` is a `KeyRotationError` from any copy of this package. */
  static override isInstance(error: unknown): error is KeyRotationError {
    return hasMarker(error, rotationMarker);
  }
}

const keystoreMarker = Symbol.for('exkeys.error.keystore');

/** Codes of a {@link KeystoreError}: why an encrypted or OS store could not be used. */
export type KeystoreErrorCode =
  | 'wrong-key'
  | 'corrupted'
  | 'no-key'
  | 'unavailable'
  | 'read-only'
  | 'recipients-changed'
  | 'io';

/** An encrypted keystore, keychain or secret-file store failed. */
export class KeystoreError extends ExkeysError {
  /** What went wrong. `wrong-key` and `corrupted` are the two a user most often meets. */
  declare readonly code: KeystoreErrorCode;
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through Symbol.for() by isInstance
  private readonly [keystoreMarker] = true;

  constructor(code: KeystoreErrorCode, message: string, options: ExkeysErrorOptions = {}) {
    super(code, message, options);
    this.name = 'KeystoreError';
  }

  /** True when `error` is a `KeystoreError` from any copy of this package. */
  static override isInstance(error: unknown): error is KeystoreError {
    return hasMarker(error, keystoreMarker);
  }
}
