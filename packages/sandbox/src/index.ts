/**
 * `@exkeys/sandbox`: a loopback exchange that answers like Bybit v5, Binance spot, OKX v5,
 * Coinbase Advanced Trade v3, KuCoin spot and Kraken spot on one origin, verifies every signature exactly as the exchange does and fails with the exchange's own
 * error codes, so tests and demos run without a network or real keys.
 *
 * @module
 */
export { type CdpKeyType, cdpKeySecret } from './cdp-keys.js';
export { DEMO_SUB_ACCOUNTS, type DemoKey, demoKeys, demoSubAccountKeys } from './demo-keys.js';
export type {
  SandboxEnvironment,
  SandboxExchange,
  SandboxKey,
  SandboxKeyFailure,
  SandboxKeyPermissions,
  SandboxKeyView,
} from './sandbox-key.js';
export { type Sandbox, type SandboxOptions, type SandboxRequest, startSandbox } from './server.js';
