/**
 * The shared client factory: checks the credentials, loads the one ccxt class, applies the
 * environment options, and makes sure ccxt's verbose log cannot print a secret.
 * @module
 */
import { inspect } from 'node:util';
import { CredentialsError } from '../errors.js';
import { redactText } from '../redact.js';
import { assertCredentialsFor, type ValidatedCredentials } from '../validated-credentials.js';
import { parseBaseUrl, rebaseApiUrls } from './base-url.js';
import { loadExchangeClass } from './ccxt-loader.js';
import type { ExchangeClientOptions } from './client-options.js';
import { sealClient, sealedSecrets } from './client-privacy.js';
import type { CcxtMode, ExchangeSpec } from './exchange-spec.js';

/** The parts of a ccxt client the kit touches. */
interface CcxtClient {
  urls: { api: unknown };
  log: (...args: unknown[]) => void;
  setSandboxMode(enabled: boolean): void;
  enableDemoTrading(enabled: boolean): void;
}

const CREDENTIAL_FIELDS = [
  'apiKey',
  'secret',
  'password',
  'uid',
  'login',
  'privateKey',
  'walletAddress',
  'token',
];

/**
 * Builds a ccxt client for `spec` from validated credentials of that exchange.
 * @throws {CredentialsError} `not-validated` or `wrong-exchange` for other credentials, and
 *   `not-validated` when `options.ccxt` carries credential fields.
 * @throws {TypeError} for an invalid `baseUrl`, both `testnet` and `demo`, an environment the
 *   exchange does not have, or an exchange-specific option it does not know (see
 *   `ExchangeSpec.ccxtOptions`).
 */
export async function createExchangeClient<
  E extends string,
  C,
  O extends ExchangeClientOptions = ExchangeClientOptions,
>(spec: ExchangeSpec<E, C, O>, creds: ValidatedCredentials<E>, options?: O): Promise<C> {
  const given = options ?? ({} as O);
  assertCredentialsFor(creds, spec.id);
  const extra = given.ccxt ?? {};
  const smuggled = CREDENTIAL_FIELDS.filter((field) => extra[field] !== undefined);
  if (smuggled.length > 0) {
    throw new CredentialsError(
      'not-validated',
      `Remove ${smuggled.join(', ')} from the ccxt options of the ${spec.name} client: keys only come from getCredentials('${spec.id}').`,
    );
  }
  const modes = selectModes(spec, given);
  const base = given.baseUrl === undefined ? undefined : parseBaseUrl(given.baseUrl);
  const own = spec.ccxtOptions?.(given) ?? {};
  const { Exchange } = await loadExchangeClass(spec.id, spec.ccxt);

  const client = new Exchange(mergeOptions(own, extra)) as CcxtClient;
  sealClient(client, spec.id, creds, spec.derivedSecrets);
  for (const mode of modes) {
    if (mode === 'sandbox-mode') client.setSandboxMode(true);
    else client.enableDemoTrading(true);
  }
  if (base !== undefined) client.urls.api = rebaseApiUrls(client.urls.api, base);
  guardLog(client);
  return client as C;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/**
 * The caller's ccxt options over the exchange's own, one level deep: `options: { timeout }` from
 * the caller keeps the exchange's other `options` (Coinbase's v3 `fetchBalance`).
 */
function mergeOptions(
  own: Readonly<Record<string, unknown>>,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...own };
  for (const [name, value] of Object.entries(extra)) {
    const base = merged[name];
    merged[name] = isPlainObject(base) && isPlainObject(value) ? { ...base, ...value } : value;
  }
  return merged;
}

function selectModes(
  spec: { name: string; modes: ExchangeSpec<string, unknown>['modes'] },
  options: ExchangeClientOptions,
): CcxtMode[] {
  if (options.testnet && options.demo) {
    throw new TypeError(`Choose either testnet or demo for the ${spec.name} client, not both.`);
  }
  const wanted = options.testnet ? 'testnet' : options.demo ? 'demo' : undefined;
  if (wanted === undefined) return [];
  const mode = spec.modes[wanted];
  if (mode === undefined) throw new TypeError(`${spec.name} has no ${wanted} environment in ccxt.`);
  return [mode];
}

/**
 * Routes ccxt's log (its `verbose` output prints request headers) through `redactText`, with the
 * secrets the client holds at the time of the line (they change with `updateClientCredentials`).
 */
function guardLog(client: CcxtClient): void {
  client.log = (...args: unknown[]) => {
    const text = args
      .map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 6 })))
      .join(' ');
    console.log(redactText(text, sealedSecrets(client)));
  };
}
