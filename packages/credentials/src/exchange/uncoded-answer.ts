/**
 * The answer ccxt refuses to hand over: a JSON body without the exchange's status code field.
 * @module
 */

/** The part of a ccxt client that keeps the last JSON body it received. */
interface LastJsonResponse {
  last_json_response?: unknown;
}

/**
 * Runs a key-information `request`; when ccxt rejects its answer with a bare `ExchangeError`
 * because the JSON body lacks `codeField` (Bybit `retCode`, KuCoin `code`), resolves to that body
 * instead, so that the endpoint's reader reports it as `unreadable-response` naming the field.
 * Every other failure, and a body that has the field, is rethrown unchanged for the error table.
 */
export async function withUncodedAnswer(
  client: object,
  request: Promise<unknown>,
  codeField: string,
): Promise<unknown> {
  try {
    return await request;
  } catch (error) {
    const body = (client as LastJsonResponse).last_json_response;
    const bare = error instanceof Error && error.constructor.name === 'ExchangeError';
    const coded = typeof body === 'object' && body !== null && codeField in body;
    if (bare && body !== undefined && !coded) return body;
    throw error;
  }
}
