import type { IncomingHttpHeaders } from 'node:http';
import type { ResolvedKey, SandboxEnvironment } from './sandbox-key.js';

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
  /**
   * The environment the sandbox plays, as the exchange's host would tell it (`api-testnet.bybit.com`
   * is testnet). OKX tells demo trading by the `x-simulated-trading` header instead.
   */
  readonly environment: SandboxEnvironment;
}

/** What an exchange module answers. `errorCode` and `apiKey` feed the request log only. */
export interface ExchangeReply {
  readonly status: number;
  readonly body: unknown;
  /** A plain-text body sent as is instead of `body` as JSON (Coinbase's `Unauthorized`). */
  readonly text?: string;
  /** Extra response headers, e.g. `Retry-After` on a rate-limit answer. */
  readonly headers?: Readonly<Record<string, string>>;
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

/** Bybit and OKX take GET parameters in the query string and POST parameters as a JSON body. */
export function queryOrJsonParams(call: ExchangeCall): Record<string, unknown> {
  return call.method === 'POST' ? jsonParams(call.rawBody) : formParams(call.rawQuery);
}

/** Who may call a route: anyone, any valid key, or a key with read or trade permission. */
export type Access = 'public' | 'any' | 'read' | 'trade';

/** One endpoint. Private handlers receive the authenticated key. */
export type Route<P> =
  | {
      readonly access: 'public';
      readonly handle: (call: ExchangeCall, params: P) => ExchangeReply;
    }
  | {
      readonly access: Exclude<Access, 'public'>;
      readonly handle: (call: ExchangeCall, params: P, key: ResolvedKey) => ExchangeReply;
    };

/** What makes one exchange different: its endpoints, parameters, authentication and refusals. */
export interface ExchangeRules<P> {
  /** Endpoints keyed `'METHOD /path'`. */
  readonly routes: Record<string, Route<P>>;
  readonly params: (call: ExchangeCall) => P;
  /** Checks key, clock, signature and IP; answers the exchange's error on the first failure. */
  readonly authenticate: (
    call: ExchangeCall,
    params: P,
  ) => { key: ResolvedKey } | { reply: ExchangeReply };
  /** Whether a key may use a `read` or `trade` route. @default the key's own flag */
  readonly permits?: (key: ResolvedKey, access: 'read' | 'trade', now: number) => boolean;
  /** The exchange's answer to a key without the permission a route needs. */
  readonly denied: (call: ExchangeCall, key: ResolvedKey) => ExchangeReply;
}

/** Builds an imitation: route, authenticate, check the permission, then handle. */
export function exchangeApi<P>(rules: ExchangeRules<P>): ExchangeApi {
  const permits = rules.permits ?? ((key: ResolvedKey, access: 'read' | 'trade') => key[access]);
  return (call) => {
    const route = rules.routes[`${call.method} ${call.path}`];
    if (!route) return undefined;
    const params = rules.params(call);
    if (route.access === 'public') return route.handle(call, params);
    const auth = rules.authenticate(call, params);
    if ('reply' in auth) return auth.reply;
    if (route.access !== 'any' && !permits(auth.key, route.access, call.now)) {
      return rules.denied(call, auth.key);
    }
    return route.handle(call, params, auth.key);
  };
}
