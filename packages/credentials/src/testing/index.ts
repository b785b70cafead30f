/**
 * `@exkeys/credentials/testing`: the shared test kit of the exchange packages. It registers vitest
 * tests, so it belongs in test files only; it is built apart from the runtime entries and needs
 * `vitest` (an optional peer dependency).
 * @module
 */
export {
  describeExchangePackage,
  type ExchangeSuite,
  type Provocation,
  type SuiteClient,
  type SuiteSandbox,
  type SuiteSandboxKey,
} from './exchange-suite.js';
export { describeLightLoading, type LightLoadingSuite } from './light-loading.js';
export {
  type AuditOutcome,
  auditOutcome,
  expectVerificationFailure,
  type PolicyVerdict,
  type PolicyVerdictOptions,
  policyVerdict,
  readerOutcome,
} from './verdicts.js';
