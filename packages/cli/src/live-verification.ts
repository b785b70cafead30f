/**
 * Live verification for `verify`, `rotate` and `doctor --live`: each key is checked by its exchange
 * package (imported only when needed, as they load ccxt) and judged by `assertSafeKey`, all keys
 * concurrently.
 * @module
 */
import {
  assertSafeKey,
  getCredentials,
  isAdminProfile,
  type KeyPolicy,
  type KeyReport,
  KeyVerificationError,
  redactText,
  UnsafeKeyError,
  type ValidatedCredentials,
} from '@exkeys/credentials';
import { parseBaseUrl } from '@exkeys/credentials/exchange';
import { UsageError } from './exit-codes.js';
import type { EndpointOptions } from './options.js';
import type { PrivateEnv } from './store-selection.js';

type Verifier = (creds: ValidatedCredentials, options: EndpointOptions) => Promise<KeyReport>;

const VERIFIERS: Readonly<Record<string, () => Promise<Verifier>>> = {
  bybit: async () => (await import('@exkeys/bybit')).verifyBybitKey as Verifier,
  binance: async () => (await import('@exkeys/binance')).verifyBinanceKey as Verifier,
  okx: async () => (await import('@exkeys/okx')).verifyOkxKey as Verifier,
  coinbase: async () => (await import('@exkeys/coinbase')).verifyCoinbaseKey as Verifier,
  kucoin: async () => (await import('@exkeys/kucoin')).verifyKucoinKey as Verifier,
  kraken: async () => (await import('@exkeys/kraken')).verifyKrakenKey as Verifier,
};

/** Exchanges `verify` can check live. */
export const VERIFIABLE_EXCHANGES: readonly string[] = Object.keys(VERIFIERS);

/** The outcome of one live check. Holds no secret. */
export interface LiveResult {
  /** Lowercase exchange id. */
  exchange: string;
  /** Profile name. */
  profile: string;
  /** Verified and within policy. */
  ok: boolean;
  /** What the exchange said the key can do, when it answered. */
  report?: KeyReport;
  /** Advice that does not fail the key. */
  warnings: string[];
  /** Why it failed. */
  error?: {
    /** `unsafe-key`, `key-verification`, `invalid-credentials`, `unsupported`… */
    code: string;
    /** For verification failures: `invalid-key`, `ip-not-allowed`, `network`…; for unsafe keys, the reasons. */
    reason?: string;
    /** What went wrong and what to do. */
    message: string;
  };
}

function describeError(
  error: unknown,
  secrets: readonly string[],
): NonNullable<LiveResult['error']> {
  const message = redactText(error instanceof Error ? error.message : String(error), secrets);
  if (UnsafeKeyError.isInstance(error)) {
    return { code: error.code, reason: error.reasons.join(','), message };
  }
  if (KeyVerificationError.isInstance(error)) {
    return { code: error.code, reason: error.reason, message };
  }
  const code = (error as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : 'error', message };
}

function unsupported(exchange: string): Error & { code: string } {
  return Object.assign(
    new Error(
      `exkeys cannot verify ${exchange} keys live yet (supported: ${VERIFIABLE_EXCHANGES.join(', ')}).`,
    ),
    { code: 'unsupported' },
  );
}

/**
 * Verifies every pair concurrently (the core's `verifyAll`) and applies `policy` to each report.
 * Never throws; results keep the order of `pairs`.
 */
export async function verifyMany(
  env: PrivateEnv,
  pairs: readonly { exchange: string; profile: string }[],
  endpoint: EndpointOptions,
  policy: KeyPolicy,
): Promise<LiveResult[]> {
  const { verifyAll } = await import('@exkeys/credentials/exchange');
  const secrets = new Map<string, string[]>();
  const id = (pair: { exchange: string; profile: string }) => `${pair.exchange}/${pair.profile}`;
  const tasks: Record<string, () => Promise<KeyReport>> = {};
  for (const pair of pairs) {
    tasks[id(pair)] = async () => {
      const load = VERIFIERS[pair.exchange];
      if (load === undefined) throw unsupported(pair.exchange);
      // An admin profile is verified too (rotate --auto needs it to work), asked for as admin.
      const admin = isAdminProfile(pair.profile);
      const creds = getCredentials(pair.exchange, { profile: pair.profile, env, admin });
      secrets.set(id(pair), [creds.apiKey, creds.apiSecret, creds.passphrase ?? '']);
      // --region is OKX's alone: the other exchanges have one domain per environment.
      const { region, ...common } = endpoint;
      return (await load())(
        creds,
        pair.exchange === 'okx' && region ? { ...common, region } : common,
      );
    };
  }
  const outcomes = await verifyAll(tasks);
  return pairs.map((pair) => {
    const base = { exchange: pair.exchange, profile: pair.profile };
    const outcome = outcomes[id(pair)];
    const hidden = secrets.get(id(pair)) ?? [];
    if (outcome === undefined || !outcome.ok) {
      return { ...base, ok: false, warnings: [], error: describeError(outcome?.error, hidden) };
    }
    const report = outcome.report;
    try {
      const { warnings } = assertSafeKey(report, policy);
      return { ...base, ok: true, report, warnings: [...report.warnings, ...warnings] };
    } catch (error) {
      return {
        ...base,
        ok: false,
        report,
        warnings: report.warnings,
        error: describeError(error, hidden),
      };
    }
  });
}

const truthy = (value: string | undefined) =>
  ['1', 'true', 'yes'].includes((value ?? '').trim().toLowerCase());

/**
 * Endpoint options from a command's `--testnet`, `--demo`, `--base-url`, `--region`; without those
 * flags, from `EXKEYS_BASE_URL`, `EXKEYS_TESTNET` and `EXKEYS_DEMO` in `env` (the shell's variables
 * over the store's, as the example bot reads them), so a sandbox `.env` sends its keys to the sandbox.
 * @throws {UsageError} for a `--base-url` (or `EXKEYS_BASE_URL`) that is not an absolute http(s) origin.
 */
export function endpointFrom(
  options: EndpointOptions,
  env: Readonly<Record<string, string | undefined>> = {},
): EndpointOptions {
  const endpoint: EndpointOptions = {};
  const flagged = options.testnet || options.demo || options.baseUrl !== undefined;
  const baseUrl = flagged ? options.baseUrl : env.EXKEYS_BASE_URL?.trim() || undefined;
  if (options.testnet || (!flagged && truthy(env.EXKEYS_TESTNET))) endpoint.testnet = true;
  else if (options.demo || (!flagged && truthy(env.EXKEYS_DEMO))) endpoint.demo = true;
  if (options.region !== undefined) endpoint.region = options.region;
  if (baseUrl !== undefined) {
    const flag = options.baseUrl !== undefined ? '--base-url' : 'EXKEYS_BASE_URL';
    try {
      endpoint.baseUrl = parseBaseUrl(baseUrl);
    } catch (error) {
      throw new UsageError(`${flag}: ${(error as Error).message}`);
    }
    if (endpoint.testnet || endpoint.demo) {
      // A base URL replaces the origin; with testnet/demo it would mix two environments.
      delete endpoint.testnet;
      delete endpoint.demo;
    }
  }
  return endpoint;
}

/** Says where requests will go, and why, before the first one is sent. */
export function describeTarget(
  endpoint: EndpointOptions,
  options: EndpointOptions,
  source: string,
): string {
  const from = (flag: string, variable: string, set: unknown) =>
    set ? flag : `${variable} from ${source} or the environment`;
  if (endpoint.baseUrl !== undefined) {
    return `Target: ${endpoint.baseUrl} (${from('--base-url', 'EXKEYS_BASE_URL', options.baseUrl)}).`;
  }
  if (endpoint.testnet)
    return `Target: the exchanges' testnets (${from('--testnet', 'EXKEYS_TESTNET', options.testnet)}).`;
  if (endpoint.demo)
    return `Target: the exchanges' demo trading (${from('--demo', 'EXKEYS_DEMO', options.demo)}).`;
  return "Target: the exchanges' live APIs.";
}
