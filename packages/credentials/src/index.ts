/**
 * `@exkeys/credentials`: keep exchange API keys out of source code. Step 1 `loadApiKeys` moves keys
 * from a store into the environment, step 2 `validateCredentials` checks them before any network
 * call, step 3 `getCredentials` hands out validated values only.
 * @module
 */
export {
  type AgeIdentity,
  type AgeKey,
  type AgeKeySources,
  defaultIdentityFile,
  readIdentityFile,
  resolveAgeKey,
} from './age-identity.js';
export {
  AGE_KEY_SOURCES,
  AGE_KEY_VARIABLES,
  DEFAULT_IDENTITY_FILE_SHOWN,
} from './age-key-sources.js';
export {
  type AgeStore,
  type AgeStoreOptions,
  ageStore,
  changeKeystorePassphrase,
  type MigrateToEnvOptions,
  type MigrateToKeystoreOptions,
  type MigrationResult,
  migrateEnvToKeystore,
  migrateKeystoreToEnv,
  recipientsFile,
} from './age-store.js';
export { type DotenvStoreOptions, dotenvStore } from './dotenv-store.js';
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
export { type KeychainStoreOptions, keychainStore } from './keychain-store.js';
export { type ConfiguredExchange, type ListOptions, listConfiguredExchanges } from './list.js';
export { type LoadOptions, type LoadResult, loadApiKeys } from './load.js';
export {
  type CredentialVariables,
  DEFAULT_PROFILE,
  needsPassphrase,
  normalizeExchange,
  normalizeProfile,
  type ParsedVariable,
  parseVariableName,
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
} from './policy.js';
export { getApiKey, getApiPassphrase, getApiSecret, getCredentials } from './read-credentials.js';
export { describeInput, looksLikeCredential, maskKey, REDACTED, redactText } from './redact.js';
export { secretFilesStore } from './secret-files-store.js';
export type {
  CredentialStore,
  StoreChanges,
  StoredVariableInfo,
  StoreWriteOptions,
} from './store.js';
export type { StoreOption } from './store-option.js';
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
export {
  type ApiKeyInput,
  type ApiKeyUpdate,
  saveApiKeys,
  type UpdateOptions,
  updateApiKey,
  type WriteOptions,
  type WriteResult,
} from './write-credentials.js';
