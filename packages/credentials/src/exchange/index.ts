/**
 * `@exkeys/credentials/exchange`: the machinery the exchange packages (`@exkeys/bybit`,
 * `@exkeys/binance`, `@exkeys/okx`, `@exkeys/kucoin`) share. An exchange package describes itself with an
 * {@link ExchangeSpec} and gets its factory and verifier from {@link defineExchange}.
 * This entry never imports ccxt: each exchange package hands over its own.
 * @module
 */

export {
  type CreatedKey,
  defineKeyManager,
  type KeyManagementEndpoints,
  type KeyManagementSpec,
  type KeyManager,
  type ListedKey,
  type ManagedKey,
  type NewKeyRequest,
} from '../rotation/key-manager.js';
export {
  type RotateKeyOptions,
  type RotationEvent,
  type RotationResult,
  rotateKey,
} from '../rotation/rotate-key.js';
export { defaultStateDir, type RotationStep } from '../rotation/rotation-journal.js';
export { parseBaseUrl, rebaseApiUrls } from './base-url.js';
export {
  CCXT_VERSION,
  type CcxtConstructor,
  type CcxtSource,
  ccxtSource,
  type LoadedExchangeClass,
  loadExchangeClass,
} from './ccxt-loader.js';
export type { ExchangeClientOptions } from './client-options.js';
export { updateClientCredentials } from './client-privacy.js';
export { createExchangeClient } from './create-client.js';
export { defineExchange, type ExchangeFunctions } from './define-exchange.js';
export type {
  CcxtMode,
  ErrorTable,
  ErrorTableEntry,
  ExchangeSpec,
  FallbackEndpoint,
  KeyEndpoint,
  KeyFacts,
  Zod,
} from './exchange-spec.js';
export {
  classifyPermission,
  isUnreadableField,
  type PermissionEntry,
  type PermissionTable,
  summarizeGrants,
  type UnreadableField,
  unreadableField,
} from './permission-table.js';
export { withUncodedAnswer } from './uncoded-answer.js';
export { type FailedCall, redactError, toVerificationError } from './verification-error.js';
export { type VerifyOutcome, type VerifyTask, verifyAll } from './verify-all.js';
export { verifyExchangeKey } from './verify-key.js';
