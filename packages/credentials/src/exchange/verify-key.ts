/**
 * Live key verification: one authenticated call to the exchange's key-information endpoint, mapped
 * to a `KeyReport` for `assertSafeKey`.
 * @module
 */
import type { KeyReport } from '../policy.js';
import type { ValidatedCredentials } from '../validated-credentials.js';
import type { ExchangeClientOptions } from './client-options.js';
import { createExchangeClient } from './create-client.js';
import type { ExchangeSpec, KeyEndpoint } from './exchange-spec.js';
import { redactError, toVerificationError } from './verification-error.js';

/** The parts of a ccxt client verification reads. */
interface VerifyingClient {
  urls: { api: unknown };
  implodeHostname(url: string): string;
  enableLastJsonResponse: boolean;
  last_json_response: unknown;
}

/**
 * Verifies `creds` against the exchange with exactly one authenticated request, and reports what the
 * key may do. No markets are loaded.
 * @throws {KeyVerificationError} when the exchange refuses the key or cannot be reached.
 * @throws {CredentialsError} for credentials of another exchange.
 */
export async function verifyExchangeKey<E extends string, C>(
  spec: ExchangeSpec<E, C>,
  creds: ValidatedCredentials<E>,
  options: ExchangeClientOptions = {},
): Promise<KeyReport> {
  const client = await createExchangeClient(spec, creds, options);
  const state = client as unknown as VerifyingClient;
  state.enableLastJsonResponse = true;
  const fallback = spec.fallback?.applies(client) ? spec.fallback : undefined;
  const endpoint: KeyEndpoint<C> = fallback ?? spec.keyInfo;
  // zod costs start-up time, so it is imported only here, while the request is in flight.
  const zod = import('zod');
  let response: unknown;
  try {
    response = await endpoint.call(client);
  } catch (error) {
    zod.catch(() => {});
    throw (
      toVerificationError(error, {
        exchange: spec.id,
        name: spec.name,
        errors: spec.errors,
        creds,
        body: state.last_json_response,
        origin: originOf(state),
      }) ?? redactError(error, creds)
    );
  }
  const { z } = await zod;
  const facts = endpoint.read(z, response);
  return {
    exchange: spec.id,
    profile: creds.profile,
    permissions: facts.permissions,
    ipRestricted: facts.ipRestricted,
    expiresAt: facts.expiresAt,
    warnings: [...(fallback ? [fallback.warning] : []), ...(facts.warnings ?? [])],
  };
}

/** The origin requests went to, for messages: ccxt writes `https://api.{hostname}`. */
function originOf(client: VerifyingClient): string {
  const { api } = client.urls;
  const first = typeof api === 'string' ? api : Object.values(api as Record<string, unknown>)[0];
  const match = typeof first === 'string' ? /^[a-z]+:\/\/[^/]*/i.exec(first) : null;
  return match ? client.implodeHostname(match[0]) : 'its API';
}
