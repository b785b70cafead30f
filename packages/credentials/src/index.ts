/**
 * `@exkeys/credentials`: keep exchange API keys out of source code. Step 1 `loadApiKeys` moves keys
 * from a store into the environment, step 2 `validateCredentials` checks them before any network
 * call, step 3 `getCredentials` hands out validated values only.
 * @module
 */
export * from './errors.js';
export {
  DEFAULT_PROFILE,
  needsPassphrase,
  normalizeExchange,
  normalizeProfile,
  parseVariableName,
  variableNames,
  type CredentialVariables,
  type ParsedVariable,
} from './names.js';
export { assertSafeKey, type KeyPermissions, type KeyPolicy, type KeyReport, type SafeKeyResult } from './policy.js';
export { maskKey, REDACTED, redactText } from './redact.js';
export type { CredentialStore, StoreChanges, StoredVariableInfo, StoreWriteOptions } from './store.js';
export {
  assertCredentialsFor,
  isValidatedCredentials,
  type ValidatedCredentials,
} from './validated-credentials.js';
