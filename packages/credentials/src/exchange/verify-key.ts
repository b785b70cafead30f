/**
 * Live key verification: one authenticated call to the exchange's key-information endpoint, mapped
 * to a `KeyReport` for `assertSafeKey`.
 * @module
 */
import { KeyVerificationError } from '../errors.js';
import type { KeyReport } from '../policy.js';
import type { ValidatedCredentials } from '../validated-credentials.js';
import type { ExchangeClientOptions } from './client-options.js';
import { createExchangeClient } from './create-client.js';
import type { ExchangeSpec, KeyEndpoint, KeyFacts, Zod } from './exchange-spec.js';
import { isUnreadableField } from './permission-table.js';
import { redactError, toVerificationError } from './verification-error.js';

/** The parts of a ccxt client verification reads. */
interface VerifyingClient {
  urls: { api: unknown };
  implodeHostname(url: string): string;
  enableLastJsonResponse: boolean;
  last_json_response: unknown;
  last_response_headers?: unknown;
}

/**
 * Verifies `creds` against the exchange with exactly one authenticated request, and reports what the
 * key may do. No markets are loaded.
 * @throws {KeyVerificationError} when the exchange refuses the key or cannot be reached.
 * @throws {CredentialsError} for credentials of another exchange.
 */
export async function verifyExchangeKey<
  E extends string,
  C,
  O extends ExchangeClientOptions = ExchangeClientOptions,
>(spec: ExchangeSpec<E, C, O>, creds: ValidatedCredentials<E>, options?: O): Promise<KeyReport> {
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
    // A call may find the answer unreadable before ccxt hands it over (e.g. no OKX envelope).
    if (isUnreadableField(error)) unreadable(spec, endpoint.endpoint, error.field);
    throw (
      toVerificationError(error, {
        exchange: spec.id,
        name: spec.name,
        errors: spec.errors,
        creds,
        body: state.last_json_response,
        headers: state.last_response_headers,
        origin: originOf(state),
        retryAfter: spec.retryAfter,
        authenticationHint: spec.authenticationHint,
      }) ?? redactError(error, creds)
    );
  }
  const { z } = await zod;
  const facts = readFacts(spec, endpoint, z, response);
  return {
    exchange: spec.id,
    profile: creds.profile,
    permissions: facts.permissions,
    ipRestricted: facts.ipRestricted,
    ...(facts.unchecked !== undefined && facts.unchecked.length > 0
      ? { unchecked: [...facts.unchecked] }
      : {}),
    expiresAt: facts.expiresAt,
    expiresInDays: facts.expiresInDays ?? null,
    warnings: [...(fallback ? [fallback.warning] : []), ...(facts.warnings ?? [])],
  };
}

/**
 * Runs the endpoint's reader. Whatever it cannot read fails closed: a `KeyVerificationError`
 * `unreadable-response` that names the endpoint and the field, never the body or a value.
 */
function readFacts<E extends string, C, O extends ExchangeClientOptions>(
  spec: ExchangeSpec<E, C, O>,
  endpoint: KeyEndpoint<C>,
  z: Zod,
  response: unknown,
): KeyFacts {
  try {
    return endpoint.read(z, response);
  } catch (error) {
    const field = isUnreadableField(error)
      ? error.field
      : error instanceof z.ZodError
        ? zodField(error)
        : undefined;
    if (field === undefined) throw error;
    return unreadable(spec, endpoint.endpoint, field);
  }
}

function zodField(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }> }): string {
  const path = error.issues[0]?.path ?? [];
  return path.length === 0 ? '(the whole body)' : path.map(String).join('.');
}

function unreadable(spec: { id: string; name: string }, endpoint: string, field: string): never {
  throw new KeyVerificationError(
    spec.id,
    'unreadable-response',
    `${spec.name} answered ${endpoint} with a response exkeys cannot read: the field ${field} is missing or malformed. exkeys refuses a key whose permissions it cannot audit; retry later, and if this persists, report it with the exkeys version (the exchange may have changed its API).`,
    { endpoint, field },
  );
}

/** The origin requests went to, for messages: ccxt writes `https://api.{hostname}`. */
function originOf(client: VerifyingClient): string {
  const { api } = client.urls;
  const first = typeof api === 'string' ? api : Object.values(api as Record<string, unknown>)[0];
  const match = typeof first === 'string' ? /^[a-z]+:\/\/[^/]*/i.exec(first) : null;
  return match ? client.implodeHostname(match[0]) : 'its API';
}
