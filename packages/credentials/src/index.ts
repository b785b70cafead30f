/**
 * `@exkeys/credentials`: keep exchange API keys out of source code. Step 1 `loadApiKeys` moves keys
 * from a store into the environment, step 2 `validateCredentials` checks them before any network
 * call, step 3 `getCredentials` hands out validated values only.
 * @module
 */
export {
  AGE_KEY_SOURCES,
  AGE_KEY_VARIABLES,
  DEFAULT_IDENTITY_FILE_SHOWN,
} from './age-key-sources.js';
export * from './errors.js';
export {
  describePemKeyTypes,
  describeShape,
  EXCHANGES,
  type ExchangeFacts,
  type ExchangeId,
  exchangeFacts,
  matchesShape,
  OTHER_PASSPHRASE_EXCHANGES,
  type PemKeyType,
  type ShapeCharset,
  shapeSource,
  type ValueShape,
} from './exchanges.js';
export { type ConfiguredExchange, type ListOptions, listConfiguredExchanges } from './list.js';
export { type LoadOptions, type LoadResult, loadApiKeys } from './load.js';
export {
  ADMIN_PROFILE,
  type CredentialVariables,
  DEFAULT_PROFILE,
  isAdminProfile,
  needsPassphrase,
  normalizeExchange,
  normalizeProfile,
  type ParsedVariable,
  parseCredentialReference,
  parseVariableName,
  SECRET_FILE_SUFFIX,
  variableNames,
} from './names.js';
export {
  assertSafeKey,
  isPermissionAllowed,
  type KeyPermissions,
  type KeyPolicy,
  type KeyReport,
  type PermissionClass,
  type PermissionGrant,
  type SafeKeyResult,
  UNCHECKED_FACTS,
  type UncheckedFact,
} from './policy.js';
export { describeInput, looksLikeCredential, maskKey, REDACTED, redactText } from './redact.js';
export { getApiKey, getApiPassphrase, getApiSecret, getCredentials } from './retrieve.js';
export { type AgeStore, type AgeStoreOptions, recipientsFile } from './stores/age/age-file.js';
export {
  type AgeIdentity,
  type AgeKey,
  type AgeKeySources,
  defaultIdentityFile,
  readIdentityFile,
  resolveAgeKey,
} from './stores/age/age-identity.js';
export { ageStore } from './stores/age/age-store.js';
export {
  changeKeystorePassphrase,
  type MigrateToEnvOptions,
  type MigrateToKeystoreOptions,
  type MigrationResult,
  migrateEnvToKeystore,
  migrateKeystoreToEnv,
} from './stores/age/migrate.js';
export {
  type AcceptRecipients,
  type RecipientChange,
  recipientStateFile,
} from './stores/age/recipient-trust.js';
export { listTemporaryFiles, TEMPORARY_FILE_SUFFIX } from './stores/atomic-file.js';
export { type DotenvStoreOptions, dotenvStore } from './stores/dotenv/dotenv-store.js';
export { type KeychainStoreOptions, keychainStore } from './stores/keychain-store.js';
export { secretFilesStore } from './stores/secret-files-store.js';
export {
  type CredentialStore,
  readStoreSnapshot,
  type StoreChanges,
  type StoredVariableInfo,
  type StoreSnapshot,
  type StoreWriteOptions,
} from './stores/store.js';
export { MAX_STORE_FILE_BYTES } from './stores/store-file.js';
export type { StoreOption } from './stores/store-option.js';
export {
  type EnvSource,
  type ReadOptions,
  type ValidationResult,
  validateCredentials,
} from './validate.js';
export {
  assertCredentialsFor,
  isValidatedCredentials,
  type ValidatedCredentials,
} from './validated-credentials.js';
export { type CredentialWatcher, type WatchOptions, watchCredentials } from './watch.js';
export {
  type ApiKeyInput,
  type ApiKeyUpdate,
  saveApiKeys,
  type UpdateOptions,
  updateApiKey,
  type WriteOptions,
  type WriteResult,
} from './write-credentials.js';
