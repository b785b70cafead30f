import type { IncomingHttpHeaders } from 'node:http';

/** One HTTP request as an exchange module sees it: raw strings, exactly as they were sent. */
export interface ExchangeCall {
  readonly method: string;
  /** The path without the query string, e.g. `/v5/order/create`. */
  readonly path: string;
  /** The raw query string after `?` (percent-encoding untouched), or `''`. */
  readonly rawQuery: string;
  /** The raw request body, or `''`. */
  readonly rawBody: string;
  readonly headers: IncomingHttpHeaders;
  /** The caller's IP, `127.0.0.1` on this loopback server. */
  readonly ip: string;
  /** Server time in ms when the request arrived. */
  readonly now: number;
}

/** What an exchange module answers. `errorCode` and `apiKey` feed the request log only. */
export interface ExchangeReply {
  readonly status: number;
  readonly body: unknown;
  readonly errorCode?: string;
  readonly apiKey?: string;
}

/** An exchange imitation: answers the calls it has a route for, `undefined` for the rest. */
export type ExchangeApi = (call: ExchangeCall) => ExchangeReply | undefined;

/** A header's single value, `undefined` when absent. */
export function header(call: ExchangeCall, name: string): string | undefined {
  const value = call.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The decoded parameters of a form or query string, first value wins. */
export function formParams(raw: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    if (!(name in params)) params[name] = value;
  }
  return params;
}

/** The parsed JSON body, `undefined` when it is not JSON. An empty body counts as `{}`. */
export function jsonValue(raw: string): unknown {
  try {
    return JSON.parse(raw || '{}');
  } catch {
    return undefined;
  }
}

/** The JSON body as a parameter object; anything but a JSON object yields `{}`. */
export function jsonParams(raw: string): Record<string, unknown> {
  const value = jsonValue(raw);
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
