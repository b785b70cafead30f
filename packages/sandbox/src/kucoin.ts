import {
  type ExchangeApi,
  type ExchangeCall,
  type ExchangeReply,
  exchangeApi,
  formParams,
  header,
  jsonParams,
  type Route,
} from './exchange-api.js';
import { BALANCES, findMarket, SPOT_MARKETS, undersized } from './market-data.js';
import type { OrderStore, SandboxOrder } from './order-store.js';
import { ipAllowed, isExpired, keyId, type ResolvedKey } from './sandbox-key.js';
import { hmacSha256, sameText } from './signatures.js';

/** KuCoin rejects a `KC-API-TIMESTAMP` more than 5 s away from its clock (error 400002). */
const TIMESTAMP_WINDOW_MS = 5000;
/** How long the sandbox says a rate limit lasts, in ms (`gw-ratelimit-reset`). */
const LIMIT_RESET_MS = 2000;
/** KuCoin's success code. */
const SUCCESS = '200000';

/** Every KuCoin answer is `{ code, data }`; `code` is `'200000'` on success. */
const ok = (data: unknown, apiKey?: string): ExchangeReply => ({
  status: 200,
  body: { code: SUCCESS, data },
  ...(apiKey ? { apiKey } : {}),
});
/** Errors come as `{ code, msg }`: gateway (authentication) errors with HTTP 401. */
const fail = (
  status: number,
  code: string,
  msg: string,
  apiKey?: string,
  headers?: Readonly<Record<string, string>>,
): ExchangeReply => ({
  status,
  body: { code, msg },
  errorCode: code,
  ...(apiKey ? { apiKey } : {}),
  ...(headers ? { headers } : {}),
});

/** Route parameters: the query (GET, DELETE) or JSON body (POST), plus path ids. */
type Params = Record<string, unknown>;

/** `/api/v1/orders/{orderId}`: the path id goes into the parameters, the route is the template. */
const ORDER_PATH = /^\/api\/v1\/orders\/([^/?]+)$/;

/**
 * The KuCoin spot (classic account) imitation. Every private request carries `KC-API-KEY`,
 * `KC-API-TIMESTAMP` (ms, within 5 s), `KC-API-SIGN` = base64 HMAC-SHA256 of
 * `timestamp + METHOD + path(?query) + body` under the secret, and, for `KC-API-KEY-VERSION: 2`
 * keys, `KC-API-PASSPHRASE` = base64 HMAC-SHA256 of the passphrase under the secret. KuCoin has
 * no testnet any more: only `live` keys exist here.
 */
export function kucoinApi(keys: ReadonlyMap<string, ResolvedKey>, orders: OrderStore): ExchangeApi {
  for (const key of keys.values()) if (key.exchange === 'kucoin') nativePermission(key);
  const routes: Record<string, Route<Params>> = {
    'GET /api/v1/timestamp': { access: 'public', handle: (call) => ok(call.now) },
    'GET /api/v3/currencies': { access: 'public', handle: () => ok(currencies()) },
    'GET /api/v2/symbols': { access: 'public', handle: () => ok(symbols()) },
    'GET /api/v1/market/allTickers': {
      access: 'public',
      handle: (call) => ok({ time: call.now, ticker: SPOT_MARKETS.map((m) => allTicker(m)) }),
    },
    'GET /api/v1/market/stats': { access: 'public', handle: stats },
    // ccxt kucoin also loads contract markets (api-futures.kucoin.com): the sandbox lists none.
    'GET /api/v1/contracts/active': { access: 'public', handle: () => ok([]) },
    'GET /api/v1/user/api-key': { access: 'any', handle: (call, _p, key) => apiKeyInfo(call, key) },
    // A classic (not unified) account that has not moved to high-frequency trading.
    'GET /api/ua/v1/account/mode': {
      access: 'any',
      handle: (_c, _p, key) => ok({ selfAccountMode: 'CLASSIC' }, key.apiKey),
    },
    'GET /api/v1/hf/accounts/opened': {
      access: 'any',
      handle: (_c, _p, key) => ok(false, key.apiKey),
    },
    'GET /api/v3/margin/symbols': {
      access: 'read',
      handle: (call, _p, key) => ok({ timestamp: call.now, items: [] }, key.apiKey),
    },
    'GET /api/v1/isolated/symbols': { access: 'read', handle: (_c, _p, key) => ok([], key.apiKey) },
    'GET /api/v1/accounts': { access: 'read', handle: (_c, p, key) => accounts(p, key) },
    'POST /api/v1/orders': { access: 'trade', handle: (call, p, key) => placeOrder(call, p, key) },
    'DELETE /api/v1/orders/{orderId}': {
      access: 'trade',
      handle: (call, p, key) => cancelOrder(call, p, key),
    },
    'GET /api/v1/orders/{orderId}': {
      access: 'read',
      handle: (_c, p, key) => queryOrder(p, key),
    },
  };

  function placeOrder(call: ExchangeCall, p: Params, key: ResolvedKey): ExchangeReply {
    const symbol = String(p.symbol ?? '');
    const market = findMarket(symbol, '-');
    if (!market) return fail(200, '400100', 'Unsupported trading pair.', key.apiKey);
    const side = p.side === 'buy' || p.side === 'sell' ? p.side : undefined;
    const type = p.type === undefined ? 'limit' : p.type;
    if (!side || (type !== 'limit' && type !== 'market') || !p.size) {
      return fail(200, '400100', 'Parameter error', key.apiKey);
    }
    if (type === 'limit' && !p.price) return fail(200, '400100', 'Parameter error', key.apiKey);
    if (
      type === 'limit' &&
      undersized(String(p.size), String(p.price), {
        minQty: market.minQty,
        minNotional: market.minNotional,
      })
    ) {
      return fail(200, '400100', 'Order size below the minimum requirement.', key.apiKey);
    }
    const order = orders.add({
      exchange: 'kucoin',
      owner: key.apiKey,
      clientId: typeof p.clientOid === 'string' ? p.clientOid : '',
      symbol,
      side,
      type,
      amount: String(p.size),
      price: type === 'limit' ? String(p.price) : market.last,
      now: call.now,
    });
    return ok({ orderId: order.id }, key.apiKey);
  }

  function cancelOrder(call: ExchangeCall, p: Params, key: ResolvedKey): ExchangeReply {
    const found = orders.find('kucoin', key.apiKey, { id: String(p.orderId) });
    const canceled = orders.cancel(found, call.now);
    if (!canceled) {
      return fail(200, '400100', 'order_not_exist_or_not_allow_to_cancel', key.apiKey);
    }
    return ok({ cancelledOrderIds: [canceled.id] }, key.apiKey);
  }

  function queryOrder(p: Params, key: ResolvedKey): ExchangeReply {
    const found = orders.find('kucoin', key.apiKey, { id: String(p.orderId) });
    if (!found) return fail(404, '400100', 'The order does not exist.', key.apiKey);
    return ok(renderOrder(found), key.apiKey);
  }

  const api = exchangeApi<Params>({
    routes,
    params: (call) => ({
      ...(call.method === 'POST' ? jsonParams(call.rawBody) : formParams(call.rawQuery)),
      ...((call as SignedCall).signedPath === undefined
        ? {}
        : { orderId: ORDER_PATH.exec((call as SignedCall).signedPath ?? '')?.[1] }),
    }),
    authenticate: (call) => authenticate(call, keys),
    permits: (key, access) => powers(key)[access],
    denied: (_call, key) =>
      fail(401, '400007', 'Access denied, requires more permission.', key.apiKey),
  });
  return (call) => {
    const id = ORDER_PATH.exec(call.path)?.[1];
    if (id === undefined) return api(call);
    // The signature covers the real path; only the route lookup uses the template.
    const routed: SignedCall = { ...call, path: '/api/v1/orders/{orderId}', signedPath: call.path };
    const reply = api(routed);
    return reply;
  };
}

/** The call as authenticated: `signedPath` is the path as sent when the route is a template. */
type SignedCall = ExchangeCall & { readonly signedPath?: string };

function authenticate(
  call: SignedCall,
  keys: ReadonlyMap<string, ResolvedKey>,
): { key: ResolvedKey } | { reply: ExchangeReply } {
  const apiKey = header(call, 'KC-API-KEY');
  const sign = header(call, 'KC-API-SIGN');
  const timestamp = header(call, 'KC-API-TIMESTAMP');
  const passphrase = header(call, 'KC-API-PASSPHRASE');
  if (!apiKey || !sign || !timestamp || !passphrase) {
    return {
      reply: fail(
        401,
        '400001',
        'Any of KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE is missing in your request header.',
        apiKey || undefined,
      ),
    };
  }
  const key = keys.get(keyId('kucoin', apiKey));
  // KuCoin has one environment, and it deletes lapsed keys: both leave a key that does not exist.
  const notExists = { reply: fail(401, '400003', 'KC-API-KEY not exists') };
  if (key === undefined) return notExists;
  if (key.environment !== 'live' || isExpired(key, call.now)) return notExists;
  const reject = (code: string, msg: string) => ({ reply: fail(401, code, msg, apiKey) });
  const requestTime = /^\d{1,16}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (Number.isNaN(requestTime) || Math.abs(call.now - requestTime) > TIMESTAMP_WINDOW_MS) {
    return reject('400002', 'Invalid KC-API-TIMESTAMP');
  }
  // v2 (and v3) keys send the passphrase signed with the secret; v1 keys sent it in clear.
  const version = header(call, 'KC-API-KEY-VERSION') ?? '1';
  if (version !== '1' && version !== '2' && version !== '3') {
    return reject('400009', 'Invalid KC-API-KEY-VERSION.');
  }
  const expectedPassphrase =
    version === '1' ? key.passphrase : hmacSha256(key.apiSecret, key.passphrase, 'base64');
  if (!sameText(passphrase, expectedPassphrase))
    return reject('400004', 'Invalid KC-API-PASSPHRASE');
  const path = call.signedPath ?? call.path;
  const endpoint = path + (call.rawQuery ? `?${decodeQuery(call.rawQuery)}` : '');
  const expected = hmacSha256(
    key.apiSecret,
    timestamp + call.method + endpoint + call.rawBody,
    'base64',
  );
  if (!sameText(expected, sign)) return reject('400005', 'Invalid KC-API-SIGN');
  if (!ipAllowed(key, call.ip)) {
    return reject('400006', `Invalid request IP, the current client IP is: ${call.ip}`);
  }
  // KuCoin documents no separate IP ban: both answer 429000.
  if (key.failWith === 'rate-limited' || key.failWith === 'ip-banned') {
    return {
      reply: fail(429, '429000', 'Too Many Requests', apiKey, {
        'gw-ratelimit-limit': '2000',
        'gw-ratelimit-remaining': '0',
        'gw-ratelimit-reset': String(LIMIT_RESET_MS),
      }),
    };
  }
  if (key.failWith === 'permission-denied') {
    return reject('400007', 'Access denied, requires more permission.');
  }
  return { key };
}

/**
 * KuCoin signs the query "as it has not been URL-encoded" (its authentication page): the sandbox
 * decodes percent-escapes before checking, so both forms of a value sign alike.
 */
function decodeQuery(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The key's `nativePermissions` as KuCoin's `permission` string (`'General,Spot'`), `undefined`
 * when unset. @throws {TypeError} for anything but a string.
 */
function nativePermission(key: ResolvedKey): string | undefined {
  const native = key.nativePermissions;
  if (native === undefined || typeof native === 'string') return native;
  throw new TypeError(
    "nativePermissions of a KuCoin sandbox key must be a permission string, e.g. 'General,Spot'.",
  );
}

/** What the key may do: `General` reads, `Spot` trades spot; else its permission flags. */
function powers(key: ResolvedKey): { read: boolean; trade: boolean } {
  const native = nativePermission(key);
  if (native === undefined) return { read: key.read, trade: key.trade };
  const tokens = native.split(',').map((token) => token.trim().toLowerCase());
  return { read: tokens.includes('general'), trade: tokens.includes('spot') };
}

/** The answer of `GET /api/v1/user/api-key`, shaped as KuCoin's documented example. */
function apiKeyInfo(call: ExchangeCall, key: ResolvedKey): ExchangeReply {
  if (key.keyInfoBody !== undefined) {
    return { status: 200, body: key.keyInfoBody, apiKey: key.apiKey };
  }
  const permission =
    nativePermission(key) ??
    [
      ...(key.read ? ['General'] : []),
      ...(key.trade ? ['Spot'] : []),
      ...(key.withdraw ? ['Withdrawal'] : []),
    ].join(',');
  // KuCoin masks the whitelisted addresses (`203.**.154`).
  const bound = key.ips.filter((ip) => ip !== '*').map(maskIp);
  return ok(
    {
      remark: 'exkeys sandbox key',
      apiKey: key.apiKey,
      apiVersion: 3,
      permission,
      ipWhitelist: bound.join(','),
      createdAt: call.now - 86_400_000,
      uid: 165111215,
      isMaster: true,
    },
    key.apiKey,
  );
}

function maskIp(ip: string): string {
  const parts = ip.split('.');
  return parts.length === 4 ? `${parts[0]}.**.${parts[3]}` : ip;
}

function currencies(): unknown[] {
  const chains: Record<string, [string, string, string]> = {
    BTC: ['BTC', 'btc', '0.0005'],
    ETH: ['ERC20', 'eth', '0.003'],
    USDT: ['ERC20', 'eth', '5'],
  };
  return BALANCES.map(({ coin }) => {
    const [chainName, chainId, fee] = chains[coin] ?? ['ERC20', 'eth', '1'];
    return {
      currency: coin,
      name: coin,
      fullName: coin,
      precision: 8,
      confirms: null,
      contractAddress: null,
      isMarginEnabled: true,
      isDebitEnabled: true,
      chains: [
        {
          chainName,
          withdrawalMinSize: fee,
          depositMinSize: null,
          withdrawFeeRate: '0',
          withdrawalMinFee: fee,
          isWithdrawEnabled: true,
          isDepositEnabled: true,
          confirms: 12,
          preConfirms: 6,
          contractAddress: '',
          withdrawPrecision: 8,
          maxWithdraw: null,
          maxDeposit: null,
          needTag: false,
          chainId,
        },
      ],
    };
  });
}

function symbols(): unknown[] {
  return SPOT_MARKETS.map((m) => ({
    symbol: `${m.base}-${m.quote}`,
    name: `${m.base}-${m.quote}`,
    baseCurrency: m.base,
    quoteCurrency: m.quote,
    feeCurrency: m.quote,
    market: 'USDS',
    baseMinSize: m.minQty,
    quoteMinSize: m.minNotional,
    baseMaxSize: m.maxQty,
    quoteMaxSize: '99999999',
    baseIncrement: m.qtyStep,
    quoteIncrement: '0.000001',
    priceIncrement: m.tickSize,
    priceLimitRate: '0.1',
    minFunds: '0.1',
    isMarginEnabled: true,
    enableTrading: true,
    feeCategory: 1,
    makerFeeCoefficient: '1.00',
    takerFeeCoefficient: '1.00',
    st: false,
  }));
}

function allTicker(m: (typeof SPOT_MARKETS)[number]): Record<string, unknown> {
  return {
    symbol: `${m.base}-${m.quote}`,
    symbolName: `${m.base}-${m.quote}`,
    buy: m.bid,
    bestBidSize: m.bidSize,
    sell: m.ask,
    bestAskSize: m.askSize,
    changeRate: '0.0132',
    changePrice: '1270.4',
    high: m.high24h,
    low: m.low24h,
    vol: m.volume24h,
    volValue: m.turnover24h,
    last: m.last,
    averagePrice: m.last,
    takerFeeRate: '0.001',
    makerFeeRate: '0.001',
    takerCoefficient: '1',
    makerCoefficient: '1',
  };
}

function stats(call: ExchangeCall, p: Params): ExchangeReply {
  const m = findMarket(String(p.symbol ?? ''), '-');
  if (!m) return fail(200, '400100', 'Unsupported trading pair.');
  return ok({ time: call.now, ...allTicker(m) });
}

function accounts(p: Params, key: ResolvedKey): ExchangeReply {
  const type = typeof p.type === 'string' ? p.type : 'trade';
  return ok(
    BALANCES.map((b, index) => ({
      id: `5bd6e9286d99522a52e458d${index}`,
      currency: b.coin,
      type,
      balance: b.free,
      available: b.free,
      holds: '0',
    })),
    key.apiKey,
  );
}

function renderOrder(order: SandboxOrder): Record<string, unknown> {
  const filled = order.status === 'filled';
  const funds = (Number(order.amount) * Number(order.price)).toString();
  return {
    id: order.id,
    symbol: order.symbol,
    opType: 'DEAL',
    type: order.type,
    side: order.side,
    price: order.type === 'limit' ? order.price : '0',
    size: order.amount,
    funds: '0',
    dealFunds: filled ? funds : '0',
    dealSize: filled ? order.amount : '0',
    fee: '0',
    feeCurrency: order.symbol.split('-')[1],
    stp: '',
    stop: '',
    stopTriggered: false,
    stopPrice: '0',
    timeInForce: 'GTC',
    postOnly: false,
    hidden: false,
    iceberg: false,
    visibleSize: '0',
    cancelAfter: 0,
    channel: 'API',
    clientOid: order.clientId,
    remark: null,
    tags: null,
    isActive: order.status === 'open',
    cancelExist: order.status === 'canceled',
    createdAt: order.createdAt,
    tradeType: 'TRADE',
  };
}
