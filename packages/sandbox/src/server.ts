import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { binanceApi } from './binance.js';
import { bybitApi } from './bybit.js';
import { coinbaseApi, coinbaseKeyOf } from './coinbase.js';
import type { ExchangeApi, ExchangeCall } from './exchange-api.js';
import { krakenApi } from './kraken.js';
import { kucoinApi } from './kucoin.js';
import { okxApi } from './okx.js';
import { OrderStore } from './order-store.js';
import {
  keyPreview,
  resolveKeys,
  type SandboxEnvironment,
  type SandboxExchange,
  type SandboxKey,
  type SandboxKeyView,
  viewKey,
} from './sandbox-key.js';

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** The port to bind on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** The keys the sandbox accepts; any other key is rejected as the exchange rejects it. */
  keys: SandboxKey[];
  /** Delay before every response, in ms, to imitate network latency. @default 0 */
  latencyMs?: number;
  /**
   * Which environment's host the sandbox plays: `live` (e.g. `api.bybit.com`), `testnet` or `demo`.
   * Keys of another environment are refused as the exchange refuses them. OKX demo trading is
   * told by its `x-simulated-trading: 1` header on any sandbox.
   * @default 'live'
   */
  environment?: SandboxEnvironment;
}

/** One served request, as kept in {@link Sandbox.requests}. It never holds a secret. */
export interface SandboxRequest {
  /** When the request arrived (ISO 8601). */
  readonly at: string;
  readonly method: string;
  /** The path without its query string. */
  readonly path: string;
  /** Which imitation answered, `null` for a path none serves. */
  readonly exchange: SandboxExchange | null;
  /** The first 6 characters of the key the request carried, `null` for unsigned requests. */
  readonly keyPreview: string | null;
  readonly status: number;
  /** Whether the exchange would call it a success. */
  readonly ok: boolean;
  /** The exchange's error code (`'10004'`, `'-1022'`, `'50113'`…) when it failed. */
  readonly errorCode: string | null;
}

/** A running sandbox. */
export interface Sandbox {
  /** The origin to point clients at, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The most recent requests (up to 1000), oldest first, for assertions. */
  readonly requests: ReadonlyArray<SandboxRequest>;
  /** Every key the sandbox accepts right now (created and deleted ones included), without secrets. */
  keys(): SandboxKeyView[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_RECORDS = 1000;

/**
 * The `/api/v3/` paths KuCoin serves (ccxt kucoin's currencies and margin markets). Binance owns
 * the rest of `/api/v3/`, so these are matched one by one, before the Binance rule.
 */
const KUCOIN_V3_PATHS: ReadonlySet<string> = new Set([
  '/api/v3/currencies',
  '/api/v3/margin/symbols',
]);

/** Which imitation owns a path. Their prefixes do not collide, so one origin serves them all. */
function exchangeOf(path: string): SandboxExchange | null {
  if (path.startsWith('/v5/')) return 'bybit';
  // Before Binance, which owns the rest of /api/v3/.
  if (path.startsWith('/api/v3/brokerage/')) return 'coinbase';
  if (path.startsWith('/api/v5/')) return 'okx';
  if (/^\/api\/(v1|v2|ua\/v1)\//.test(path) || KUCOIN_V3_PATHS.has(path)) return 'kucoin';
  if (/^\/(api\/v3|sapi\/v[12]|fapi\/v1|dapi\/v1)\//.test(path)) return 'binance';
  if (path.startsWith('/0/')) return 'kraken';
  return null;
}

const KEY_HEADER: Record<SandboxExchange, string> = {
  bybit: 'x-bapi-api-key',
  binance: 'x-mbx-apikey',
  okx: 'ok-access-key',
  // The key name is the `kid` of the Bearer JWT.
  coinbase: 'authorization',
  kucoin: 'kc-api-key',
  kraken: 'api-key',
};

/**
 * Starts a loopback exchange on 127.0.0.1 that answers like Bybit v5, Binance spot, OKX v5,
 * Coinbase Advanced Trade v3, KuCoin spot and Kraken spot on the endpoints exkeys and its tests use, verifying every signature as the exchange does.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const keys = resolveKeys(options.keys);
  const orders = new OrderStore();
  const apis: Record<SandboxExchange, ExchangeApi> = {
    bybit: bybitApi(keys, orders),
    binance: binanceApi(keys, orders),
    okx: okxApi(keys, orders),
    coinbase: coinbaseApi(keys, orders),
    kucoin: kucoinApi(keys, orders),
    kraken: krakenApi(keys, orders),
  };
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  const environment = options.environment ?? 'live';
  const records: SandboxRequest[] = [];

  const server = createServer((req, res) => {
    void serve(req, res).catch(() => {
      if (!res.headersSent)
        send(res, 500, { error: 'internal', message: 'The sandbox failed on this request.' });
      else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const now = Date.now();
    const rawUrl = req.url ?? '/';
    const target = new URL(rawUrl, 'http://127.0.0.1');
    // The raw query, percent-encoding untouched: signatures cover the bytes as sent.
    const rawQuery = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
    const rawBody = await readBody(req);
    const exchange = exchangeOf(target.pathname);
    const method = req.method ?? 'GET';
    if (latencyMs > 0) await sleep(latencyMs);

    if (rawBody === undefined) {
      record(now, method, target.pathname, exchange, null, 413, 'body-too-large');
      send(res, 413, { error: 'body-too-large', message: 'Request bodies are limited to 1 MiB.' });
      return;
    }
    const call: ExchangeCall = {
      method,
      path: target.pathname,
      rawQuery,
      rawBody,
      headers: req.headers,
      ip: normalizeIp(req.socket.remoteAddress),
      now,
      environment,
    };
    const reply = exchange ? apis[exchange](call) : undefined;
    const header = exchange ? req.headers[KEY_HEADER[exchange]] : undefined;
    const sentKey =
      exchange === 'coinbase' && typeof header === 'string' ? coinbaseKeyOf(header) : header;
    const preview = typeof sentKey === 'string' && sentKey ? keyPreview(sentKey) : null;
    if (!reply) {
      record(now, method, target.pathname, exchange, preview, 404, 'not-found');
      send(res, 404, {
        error: 'not-found',
        message: `The exkeys sandbox does not serve ${method} ${target.pathname}.`,
      });
      return;
    }
    record(now, method, target.pathname, exchange, preview, reply.status, reply.errorCode ?? null);
    if (reply.text !== undefined) sendText(res, reply.status, reply.text, reply.headers);
    else send(res, reply.status, reply.body, reply.headers);
  }

  function record(
    now: number,
    method: string,
    path: string,
    exchange: SandboxExchange | null,
    preview: string | null,
    status: number,
    errorCode: string | null,
  ): void {
    records.push({
      at: new Date(now).toISOString(),
      method,
      path,
      exchange,
      keyPreview: preview,
      status,
      ok: errorCode === null,
      errorCode,
    });
    if (records.length > MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: records,
    keys: () => [...keys.values()].map(viewKey),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The request body as text, or `undefined` when it exceeds the limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function normalizeIp(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
