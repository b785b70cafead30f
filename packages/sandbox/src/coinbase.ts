import { verify } from 'node:crypto';
import { cdpPublicKey } from './cdp-keys.js';
import {
  type ExchangeApi,
  type ExchangeCall,
  type ExchangeReply,
  exchangeApi,
  header,
  jsonValue,
  queryOrJsonParams,
  type Route,
} from './exchange-api.js';
import { BALANCES, findMarket, SPOT_MARKETS } from './market-data.js';
import type { OrderStore } from './order-store.js';
import { ipAllowed, isExpired, keyId, type ResolvedKey } from './sandbox-key.js';

/** A CDP JWT is valid for at most 2 minutes (`exp` − `nbf`). */
const MAX_JWT_SECONDS = 120;
/** The issuers Coinbase documents: `cdp` (current docs) and `coinbase-cloud` (ccxt 4.5.84's ES256 JWTs). */
const ISSUERS = new Set(['cdp', 'coinbase-cloud']);
const PREFIX = '/api/v3/brokerage';

const ok = (body: unknown, apiKey?: string): ExchangeReply => ({
  status: 200,
  body,
  ...(apiKey ? { apiKey } : {}),
});

/**
 * Coinbase answers every authentication failure (unknown key, bad signature, a JWT out of its
 * window or for another request, an IP outside the allowlist) with a bare `401 Unauthorized`.
 */
const unauthorized = (why: string, apiKey?: string): ExchangeReply => ({
  status: 401,
  body: undefined,
  text: 'Unauthorized\n',
  errorCode: `unauthorized:${why}`,
  ...(apiKey ? { apiKey } : {}),
});

/** Coinbase's gRPC-gateway error body (`grpc.gateway.runtime.Error`: error, code, message, details). */
const grpcError = (
  status: number,
  error: string,
  code: number,
  message: string,
  apiKey?: string,
): ExchangeReply => ({
  status,
  body: { error, code, message, error_details: message, details: [] },
  errorCode: String(code),
  ...(apiKey ? { apiKey } : {}),
});

const denied = (apiKey?: string) =>
  grpcError(403, 'PERMISSION_DENIED', 7, 'Missing required scopes', apiKey);

/**
 * The Coinbase Advanced Trade v3 imitation. Requests carry `Authorization: Bearer <JWT>` signed
 * with the CDP key: ES256 for an EC P-256 key (PEM secret), EdDSA for an Ed25519 key (raw base64
 * secret). The sandbox verifies the signature with the key's public key, the `kid` header and
 * `sub` claim (the key name), the `iss` claim, `nbf` ≤ now < `exp` with at most 120 s between
 * them, and that the `uri` claim (or an entry of `uris`) is this request's `METHOD host/path`.
 * ccxt strips only `https://` from the URL it puts there, so over the sandbox's plain HTTP the
 * claim may start with `http://`.
 */
export function coinbaseApi(
  keys: ReadonlyMap<string, ResolvedKey>,
  orders: OrderStore,
): ExchangeApi {
  for (const key of keys.values()) {
    if (key.exchange !== 'coinbase') continue;
    nativeFlags(key);
    if (cdpPublicKey(key.apiSecret) === undefined) {
      throw new TypeError(
        'A Coinbase sandbox key needs a CDP secret: a PEM EC P-256 private key or a base64 Ed25519 key of 64 bytes.',
      );
    }
  }
  const routes: Record<string, Route<Record<string, unknown>>> = {
    [`GET ${PREFIX}/time`]: {
      access: 'public',
      handle: (call) =>
        ok({
          iso: new Date(call.now).toISOString(),
          epochSeconds: String(Math.floor(call.now / 1000)),
          epochMillis: String(call.now),
        }),
    },
    [`GET ${PREFIX}/market/products`]: { access: 'public', handle: (_c, p) => products(p) },
    [`GET ${PREFIX}/key_permissions`]: {
      access: 'any',
      handle: (_c, _p, key) => keyPermissions(key),
    },
    [`GET ${PREFIX}/transaction_summary`]: {
      access: 'read',
      handle: (_c, _p, key) => ok(transactionSummary(), key.apiKey),
    },
    [`GET ${PREFIX}/accounts`]: {
      access: 'read',
      handle: (call, _p, key) => ok(accounts(call), key.apiKey),
    },
    [`POST ${PREFIX}/orders`]: {
      access: 'trade',
      handle: (call, p, key) => createOrder(call, p, key),
    },
    [`POST ${PREFIX}/orders/batch_cancel`]: {
      access: 'trade',
      handle: (call, p, key) => batchCancel(call, p, key),
    },
  };
  for (const market of SPOT_MARKETS) {
    const id = `${market.base}-${market.quote}`;
    routes[`GET ${PREFIX}/market/products/${id}/ticker`] = {
      access: 'public',
      handle: (call) => ticker(call, id),
    };
  }

  function createOrder(
    call: ExchangeCall,
    p: Record<string, unknown>,
    key: ResolvedKey,
  ): ExchangeReply {
    const productId = String(p.product_id ?? '');
    const clientId = typeof p.client_order_id === 'string' ? p.client_order_id : '';
    const side = p.side === 'BUY' ? 'buy' : p.side === 'SELL' ? 'sell' : undefined;
    const config = (p.order_configuration ?? {}) as Record<string, Record<string, unknown>>;
    const limit = config.limit_limit_gtc;
    const market = config.market_market_ioc;
    const failure = (error: string, message: string, reason: string) => ({
      status: 200,
      body: {
        success: false,
        failure_reason: reason,
        order_id: '',
        error_response: {
          error,
          message,
          error_details: message,
          new_order_failure_reason: reason,
        },
        order_configuration: config,
      },
      errorCode: error,
      apiKey: key.apiKey,
    });
    const spot = findMarket(productId, '-');
    if (!spot) return failure('INVALID_PRODUCT_ID', 'Invalid product_id', 'INVALID_PRODUCT_ID');
    if (!side) return failure('INVALID_SIDE', 'Invalid side', 'INVALID_SIDE');
    const size = limit?.base_size ?? market?.base_size ?? market?.quote_size;
    if (size === undefined || (limit !== undefined && limit.limit_price === undefined)) {
      return failure(
        'UNSUPPORTED_ORDER_CONFIGURATION',
        'Unsupported order configuration',
        'UNSUPPORTED_ORDER_CONFIGURATION',
      );
    }
    if (Number(size) < Number(spot.minQty)) {
      return failure('INVALID_LIMIT_PRICE', 'Too small order', 'ORDER_ENTRY_DISABLED');
    }
    const order = orders.add({
      exchange: 'coinbase',
      owner: key.apiKey,
      clientId,
      symbol: productId,
      side,
      type: limit ? 'limit' : 'market',
      amount: String(size),
      price: limit ? String(limit.limit_price) : spot.last,
      now: call.now,
    });
    return ok(
      {
        success: true,
        success_response: {
          order_id: order.id,
          product_id: productId,
          side: p.side,
          client_order_id: clientId,
        },
        order_configuration: config,
      },
      key.apiKey,
    );
  }

  function batchCancel(
    call: ExchangeCall,
    p: Record<string, unknown>,
    key: ResolvedKey,
  ): ExchangeReply {
    const ids = Array.isArray(p.order_ids) ? p.order_ids.map(String) : [];
    const results = ids.map((id) => {
      const canceled = orders.cancel(orders.find('coinbase', key.apiKey, { id }), call.now);
      return {
        success: canceled !== undefined,
        failure_reason: canceled ? 'UNKNOWN_CANCEL_FAILURE_REASON' : 'UNKNOWN_CANCEL_ORDER',
        order_id: id,
      };
    });
    return ok({ results }, key.apiKey);
  }

  return exchangeApi({
    routes,
    params: queryOrJsonParams,
    authenticate: (call) => authenticate(call, keys),
    permits: (key, access) => flagsOf(key)[access === 'read' ? 'can_view' : 'can_trade'],
    denied: (_call, key) => denied(key.apiKey),
  });
}

interface JwtParts {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signed: string;
  signature: Buffer;
}

function decodeJwt(token: string): JwtParts | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head = '', body = '', signature = ''] = parts;
  const json = (segment: string) => {
    const value = jsonValue(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  };
  const decodedHeader = json(head);
  const claims = json(body);
  if (!decodedHeader || !claims) return undefined;
  return {
    header: decodedHeader,
    claims,
    signed: `${head}.${body}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}

/** Who the request is for: the `kid` of a decodable Bearer JWT, for the request log. */
export function coinbaseKeyOf(authorization: string | undefined): string | undefined {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  const kid = token ? decodeJwt(token)?.header.kid : undefined;
  return typeof kid === 'string' ? kid : undefined;
}

function authenticate(
  call: ExchangeCall,
  keys: ReadonlyMap<string, ResolvedKey>,
): { key: ResolvedKey } | { reply: ExchangeReply } {
  const token = /^Bearer (\S+)$/.exec(header(call, 'authorization') ?? '')?.[1];
  if (!token) return { reply: unauthorized('no-bearer-token') };
  const jwt = decodeJwt(token);
  if (!jwt) return { reply: unauthorized('malformed-jwt') };
  const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : '';
  const key = kid ? keys.get(keyId('coinbase', kid)) : undefined;
  if (!key) return { reply: unauthorized('unknown-key') };
  const reject = (why: string) => ({ reply: unauthorized(why, key.apiKey) });
  // A deleted key is unknown to Coinbase.
  if (isExpired(key, call.now)) return reject('deleted-key');
  const publicKey = cdpPublicKey(key.apiSecret);
  const eddsa = publicKey?.asymmetricKeyType === 'ed25519';
  if (!publicKey || jwt.header.alg !== (eddsa ? 'EdDSA' : 'ES256')) return reject('wrong-alg');
  if (typeof jwt.header.nonce !== 'string' || jwt.header.nonce === '') return reject('no-nonce');
  const valid = eddsa
    ? verify(null, Buffer.from(jwt.signed), publicKey, jwt.signature)
    : jwt.signature.length === 64 &&
      verify(
        'sha256',
        Buffer.from(jwt.signed),
        { key: publicKey, dsaEncoding: 'ieee-p1363' },
        jwt.signature,
      );
  if (!valid) return reject('bad-signature');
  const { sub, iss, nbf, exp } = jwt.claims;
  if (sub !== kid || typeof iss !== 'string' || !ISSUERS.has(iss)) return reject('bad-claims');
  const seconds = call.now / 1000;
  if (typeof nbf !== 'number' || typeof exp !== 'number' || exp - nbf > MAX_JWT_SECONDS) {
    return reject('bad-lifetime');
  }
  if (nbf > seconds || exp <= seconds) return reject('outside-window');
  const uris = [
    ...(typeof jwt.claims.uri === 'string' ? [jwt.claims.uri] : []),
    ...(Array.isArray(jwt.claims.uris) ? jwt.claims.uris : []),
  ];
  const host = header(call, 'host') ?? '';
  const expected = `${call.method} ${host}${call.path}`;
  const forThis = uris.some(
    (uri) => uri === expected || uri === `${call.method} http://${host}${call.path}`,
  );
  if (!forThis) return reject('wrong-uri');
  if (!ipAllowed(key, call.ip)) return reject('ip-not-allowed');
  if (key.failWith === 'rate-limited' || key.failWith === 'ip-banned') {
    return { reply: grpcError(429, 'RESOURCE_EXHAUSTED', 8, 'Too many requests', key.apiKey) };
  }
  if (key.failWith === 'permission-denied') return { reply: denied(key.apiKey) };
  return { key };
}

interface Flags {
  can_view: boolean;
  can_trade: boolean;
  can_transfer: boolean;
}

/**
 * The key's `nativePermissions` as Coinbase's flags (`{ can_view, can_trade, can_transfer }`),
 * `undefined` when unset. @throws {TypeError} for anything but an object of booleans.
 */
function nativeFlags(key: ResolvedKey): Partial<Flags> | undefined {
  const native = key.nativePermissions;
  if (native === undefined) return undefined;
  if (
    typeof native === 'object' &&
    Object.values(native).every((value) => typeof value === 'boolean')
  ) {
    return native as Partial<Flags>;
  }
  throw new TypeError(
    'nativePermissions of a Coinbase sandbox key must be flags, e.g. { can_view: true, can_trade: false, can_transfer: false }.',
  );
}

/** What the key may do: its native flags, else its permissions (withdraw is Coinbase's transfer). */
function flagsOf(key: ResolvedKey): Flags {
  const native = nativeFlags(key);
  if (native !== undefined) {
    return {
      can_view: native.can_view === true,
      can_trade: native.can_trade === true,
      can_transfer: native.can_transfer === true,
    };
  }
  return { can_view: key.read, can_trade: key.trade, can_transfer: key.withdraw };
}

// https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/data-api/get-api-key-permissions
function keyPermissions(key: ResolvedKey): ExchangeReply {
  if (key.keyInfoBody !== undefined) return ok(key.keyInfoBody, key.apiKey);
  return ok(
    {
      ...flagsOf(key),
      portfolio_uuid: 'b87a2d3f-8a1e-49b3-a4ea-402d8c389aca',
      portfolio_type: 'DEFAULT',
    },
    key.apiKey,
  );
}

function products(p: Record<string, unknown>): ExchangeReply {
  // Futures are asked for separately (product_type=FUTURE); the sandbox lists spot only.
  if (p.product_type !== undefined && p.product_type !== 'SPOT') {
    return ok({ products: [], num_products: 0 });
  }
  const list = SPOT_MARKETS.map((m) => ({
    product_id: `${m.base}-${m.quote}`,
    price: m.last,
    price_percentage_change_24h: (
      ((Number(m.last) - Number(m.open24h)) / Number(m.open24h)) *
      100
    ).toFixed(8),
    volume_24h: m.volume24h,
    volume_percentage_change_24h: '0',
    base_increment: m.qtyStep,
    quote_increment: m.tickSize,
    quote_min_size: m.minNotional,
    quote_max_size: '150000000',
    base_min_size: m.minQty,
    base_max_size: m.maxQty,
    base_name: m.base === 'BTC' ? 'Bitcoin' : 'Ethereum',
    quote_name: 'Tether',
    watched: false,
    is_disabled: false,
    new: false,
    status: 'online',
    cancel_only: false,
    limit_only: false,
    post_only: false,
    trading_disabled: false,
    auction_mode: false,
    product_type: 'SPOT',
    quote_currency_id: m.quote,
    base_currency_id: m.base,
    fcm_trading_session_details: null,
    mid_market_price: '',
    alias: '',
    alias_to: [],
    base_display_symbol: m.base,
    quote_display_symbol: m.quote,
    view_only: false,
    price_increment: m.tickSize,
    display_name: `${m.base}-${m.quote}`,
    product_venue: 'CBE',
    approximate_quote_24h_volume: m.turnover24h,
  }));
  return ok({ products: list, num_products: list.length });
}

function ticker(call: ExchangeCall, productId: string): ExchangeReply {
  const m = findMarket(productId, '-');
  if (!m) return grpcError(404, 'NOT_FOUND', 5, 'product not found');
  return ok({
    trades: [
      {
        trade_id: '1',
        product_id: productId,
        price: m.last,
        size: m.qtyStep,
        time: new Date(call.now).toISOString(),
        side: 'BUY',
        bid: '',
        ask: '',
        exchange: 'coinbase',
      },
    ],
    best_bid: m.bid,
    best_ask: m.ask,
  });
}

function transactionSummary(): unknown {
  return {
    total_volume: 0,
    total_fees: 0,
    fee_tier: {
      pricing_tier: 'Advanced 1',
      usd_from: '0',
      usd_to: '1000',
      taker_fee_rate: '0.012',
      maker_fee_rate: '0.006',
      aop_from: '',
      aop_to: '',
    },
    margin_rate: null,
    goods_and_services_tax: null,
    advanced_trade_only_volume: 0,
    advanced_trade_only_fees: 0,
    coinbase_pro_volume: 0,
    coinbase_pro_fees: 0,
  };
}

function accounts(call: ExchangeCall): unknown {
  const at = new Date(call.now - 86_400_000).toISOString();
  const list = BALANCES.map((b, index) => ({
    uuid: `8bfc20d7-f7c6-4422-bf07-8243ca4169f${index}`,
    name: `${b.coin} Wallet`,
    currency: b.coin,
    available_balance: { value: b.free, currency: b.coin },
    default: index === 0,
    active: true,
    created_at: at,
    updated_at: at,
    deleted_at: null,
    type: 'ACCOUNT_TYPE_CRYPTO',
    ready: true,
    hold: { value: '0', currency: b.coin },
    retail_portfolio_id: 'b87a2d3f-8a1e-49b3-a4ea-402d8c389aca',
  }));
  return { accounts: list, has_next: false, cursor: '', size: list.length };
}
