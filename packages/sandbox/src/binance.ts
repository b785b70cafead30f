import { binanceSubKeyRoutes } from './binance-sub-keys.js';
import {
  type ExchangeApi,
  type ExchangeCall,
  type ExchangeReply,
  exchangeApi,
  formParams,
  header,
  type Route,
} from './exchange-api.js';
import { BALANCES, findMarket, SPOT_MARKETS, type SpotMarket, undersized } from './market-data.js';
import type { OrderStore, SandboxOrder } from './order-store.js';
import { ipAllowed, isExpired, keyId, type ResolvedKey } from './sandbox-key.js';
import { hmacSha256, sameText, verifyPemSignature } from './signatures.js';

/** Binance's default and largest `recvWindow`. */
const DEFAULT_RECV_WINDOW = 5000;
const MAX_RECV_WINDOW = 60_000;

const ok = (body: unknown, apiKey?: string): ExchangeReply => ({
  status: 200,
  body,
  ...(apiKey ? { apiKey } : {}),
});
const fail = (status: number, code: number, msg: string, apiKey?: string): ExchangeReply => ({
  status,
  body: { code, msg },
  errorCode: String(code),
  ...(apiKey ? { apiKey } : {}),
});
/** Binance answers every bad key, IP or permission alike, so a prober learns nothing. */
const INVALID_KEY_IP_OR_PERMISSION = 'Invalid API-key, IP, or permissions for action.';

/** Binance prints decimals with 8 places. */
const d8 = (value: string | number): string => Number(value).toFixed(8);

/**
 * The Binance spot (api/v3 + sapi) imitation: `signature` is the HMAC hex (or Ed25519/RSA
 * base64) of the query string concatenated with the body, without the signature itself, and
 * `timestamp` must fall within `recvWindow`.
 */
export function binanceApi(keys: Map<string, ResolvedKey>, orders: OrderStore): ExchangeApi {
  for (const key of keys.values()) if (key.exchange === 'binance') nativeFlags(key);
  // Rate-limited answers so far, per key: Binance bans an IP that keeps sending after a 429.
  const limited = new Map<string, number>();
  const routes: Record<string, Route<Record<string, string>>> = {
    'GET /api/v3/ping': { access: 'public', handle: () => ok({}) },
    'GET /api/v3/time': { access: 'public', handle: (call) => ok({ serverTime: call.now }) },
    'GET /api/v3/exchangeInfo': { access: 'public', handle: exchangeInfo },
    // ccxt's default loadMarkets also asks for USD-M and COIN-M futures; the sandbox lists none.
    'GET /fapi/v1/exchangeInfo': {
      access: 'public',
      handle: (call) => emptyFuturesInfo(call, 'U_MARGINED'),
    },
    'GET /dapi/v1/exchangeInfo': {
      access: 'public',
      handle: (call) => emptyFuturesInfo(call, 'COIN_MARGINED'),
    },
    'GET /api/v3/ticker/24hr': { access: 'public', handle: ticker },
    'GET /sapi/v1/capital/config/getall': {
      access: 'read',
      handle: (_c, _p, key) => ok(coinConfig(), key.apiKey),
    },
    // ccxt's default loadMarkets asks for margin pairs when keys are set (options.fetchMargins).
    'GET /sapi/v1/margin/allPairs': {
      access: 'read',
      handle: (_c, _p, key) => ok(marginPairs(true), key.apiKey),
    },
    'GET /sapi/v1/margin/isolated/allPairs': {
      access: 'read',
      handle: (_c, _p, key) => ok(marginPairs(false), key.apiKey),
    },
    'GET /sapi/v1/account/apiRestrictions': {
      access: 'any',
      handle: (_c, _p, key) => apiRestrictions(key),
    },
    'GET /api/v3/account': { access: 'read', handle: (call, _p, key) => account(call, key) },
    'POST /api/v3/order': { access: 'trade', handle: (call, p, key) => createOrder(call, p, key) },
    'DELETE /api/v3/order': {
      access: 'trade',
      handle: (call, p, key) => cancelOrder(call, p, key),
    },
    'GET /api/v3/order': { access: 'read', handle: (call, p, key) => queryOrder(call, p, key) },
    ...binanceSubKeyRoutes(keys, powers),
  };

  function createOrder(
    call: ExchangeCall,
    p: Record<string, string>,
    key: ResolvedKey,
  ): ExchangeReply {
    const market = findMarket(p.symbol, '');
    if (!market) return fail(400, -1121, 'Invalid symbol.', key.apiKey);
    const side = p.side === 'BUY' ? 'buy' : p.side === 'SELL' ? 'sell' : undefined;
    const type = p.type === 'LIMIT' ? 'limit' : p.type === 'MARKET' ? 'market' : undefined;
    if (!side || !type) return fail(400, -1116, 'Invalid orderType.', key.apiKey);
    if (!p.quantity) {
      return fail(
        400,
        -1102,
        "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.",
        key.apiKey,
      );
    }
    if (type === 'limit' && (!p.price || !p.timeInForce)) {
      return fail(
        400,
        -1102,
        "Mandatory parameter 'price' was not sent, was empty/null, or malformed.",
        key.apiKey,
      );
    }
    // LOT_SIZE lists the quantity step as the minimum quantity.
    const small =
      type === 'limit'
        ? undersized(p.quantity, p.price ?? '', { ...market, minQty: market.qtyStep })
        : undefined;
    if (small) {
      const filter = small === 'quantity' ? 'LOT_SIZE' : 'NOTIONAL';
      return fail(400, -1013, `Filter failure: ${filter}`, key.apiKey);
    }
    const order = orders.add({
      exchange: 'binance',
      owner: key.apiKey,
      clientId: p.newClientOrderId || `sandbox${call.now}`,
      symbol: market.base + market.quote,
      side,
      type,
      amount: p.quantity,
      price: type === 'limit' ? (p.price ?? market.last) : market.last,
      now: call.now,
    });
    const fills =
      order.status === 'filled'
        ? [
            {
              price: d8(order.price),
              qty: d8(order.amount),
              commission: '0.00000000',
              commissionAsset: market.base,
              tradeId: 1,
            },
          ]
        : [];
    return ok({ ...renderOrder(order), transactTime: call.now, fills }, key.apiKey);
  }

  function cancelOrder(
    call: ExchangeCall,
    p: Record<string, string>,
    key: ResolvedKey,
  ): ExchangeReply {
    const found = orders.find('binance', key.apiKey, {
      id: p.orderId,
      clientId: p.origClientOrderId,
      market: p.symbol,
    });
    const canceled = orders.cancel(found, call.now);
    if (!canceled) return fail(400, -2011, 'Unknown order sent.', key.apiKey);
    const { clientOrderId, ...rest } = renderOrder(canceled);
    return ok(
      {
        ...rest,
        origClientOrderId: clientOrderId,
        clientOrderId: `cancel${call.now}`,
        transactTime: call.now,
      },
      key.apiKey,
    );
  }

  function queryOrder(
    _call: ExchangeCall,
    p: Record<string, string>,
    key: ResolvedKey,
  ): ExchangeReply {
    const found = orders.find('binance', key.apiKey, {
      id: p.orderId,
      clientId: p.origClientOrderId,
      market: p.symbol,
    });
    if (!found) return fail(400, -2013, 'Order does not exist.', key.apiKey);
    return ok(renderOrder(found), key.apiKey);
  }

  return exchangeApi({
    routes,
    // Binance reads both; a parameter in the query string wins over the body.
    params: (call) => ({ ...formParams(call.rawBody), ...formParams(call.rawQuery) }),
    authenticate: (call, params) => {
      const auth = authenticate(call, params, keys);
      if ('reply' in auth || auth.key.failWith === undefined) return auth;
      return { reply: failure(auth.key, limited, call.now) };
    },
    // A lapsed key keeps reading but loses its trading authority.
    permits: (key, access, now) =>
      powers(key)[access] && (access === 'read' || !isExpired(key, now)),
    denied: (_call, key) => fail(401, -2015, INVALID_KEY_IP_OR_PERMISSION, key.apiKey),
  });
}

function authenticate(
  call: ExchangeCall,
  params: Record<string, string>,
  keys: ReadonlyMap<string, ResolvedKey>,
): { key: ResolvedKey } | { reply: ExchangeReply } {
  const apiKey = header(call, 'X-MBX-APIKEY');
  if (!apiKey) return { reply: fail(401, -2014, 'API-key format invalid.') };
  const key = keys.get(keyId('binance', apiKey));
  if (!key) return { reply: fail(401, -2015, INVALID_KEY_IP_OR_PERMISSION) };
  // Live, testnet and demo keep separate key stores: a key of another one is unknown here.
  // Binance answers -2008 on /sapi and -2015 on /api/v3 (as reported by its users).
  if (key.environment !== call.environment) {
    return call.path.startsWith('/sapi/')
      ? { reply: fail(401, -2008, 'Invalid Api-Key ID.') }
      : { reply: fail(401, -2015, INVALID_KEY_IP_OR_PERMISSION) };
  }
  const reject = (status: number, code: number, msg: string) => ({
    reply: fail(status, code, msg, apiKey),
  });

  for (const name of ['timestamp', 'signature']) {
    if (!params[name]) {
      return reject(
        400,
        -1102,
        `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
      );
    }
  }
  const timestamp = Number(params.timestamp);
  const recvWindow =
    params.recvWindow === undefined ? DEFAULT_RECV_WINDOW : Number(params.recvWindow);
  if (!Number.isInteger(timestamp)) {
    return reject(
      400,
      -1102,
      "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    );
  }
  if (!Number.isFinite(recvWindow) || recvWindow <= 0 || recvWindow > MAX_RECV_WINDOW) {
    return reject(400, -1131, 'recvWindow must be less than 60000');
  }
  if (timestamp >= call.now + 1000) {
    return reject(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  }
  if (call.now - timestamp > recvWindow) {
    return reject(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
  }

  // totalParams = query string + body, concatenated without '&', signature left out.
  const payload = withoutSignature(call.rawQuery) + withoutSignature(call.rawBody);
  const signature = params.signature ?? '';
  const valid = key.verifyPem
    ? verifyPemSignature(key.verifyPem, payload, signature)
    : sameText(hmacSha256(key.apiSecret, payload, 'hex'), signature.toLowerCase());
  if (!valid) return reject(400, -1022, 'Signature for this request is not valid.');
  if (!ipAllowed(key, call.ip)) return reject(401, -2015, INVALID_KEY_IP_OR_PERMISSION);
  return { key };
}

function withoutSignature(raw: string): string {
  return raw
    .split('&')
    .filter((part) => part !== '' && !part.startsWith('signature='))
    .join('&');
}

function exchangeInfo(call: ExchangeCall, p: Record<string, string>): ExchangeReply {
  const symbols = SPOT_MARKETS.filter((m) => !p.symbol || p.symbol === m.base + m.quote).map(
    (m) => ({
      symbol: m.base + m.quote,
      status: 'TRADING',
      baseAsset: m.base,
      baseAssetPrecision: 8,
      quoteAsset: m.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: [
        'LIMIT',
        'LIMIT_MAKER',
        'MARKET',
        'STOP_LOSS',
        'STOP_LOSS_LIMIT',
        'TAKE_PROFIT',
        'TAKE_PROFIT_LIMIT',
      ],
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      amendAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: true,
      filters: [
        {
          filterType: 'PRICE_FILTER',
          minPrice: d8(m.tickSize),
          maxPrice: d8(1_000_000),
          tickSize: d8(m.tickSize),
        },
        {
          filterType: 'LOT_SIZE',
          minQty: d8(m.qtyStep),
          maxQty: d8(9000),
          stepSize: d8(m.qtyStep),
        },
        { filterType: 'ICEBERG_PARTS', limit: 10 },
        { filterType: 'MARKET_LOT_SIZE', minQty: d8(0), maxQty: d8(m.maxQty), stepSize: d8(0) },
        {
          filterType: 'NOTIONAL',
          minNotional: d8(m.minNotional),
          applyMinToMarket: true,
          maxNotional: d8(9_000_000),
          applyMaxToMarket: false,
          avgPriceMins: 5,
        },
        { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
        { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
      ],
      permissions: [],
      permissionSets: [['SPOT', 'MARGIN']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT'],
    }),
  );
  return ok({
    timezone: 'UTC',
    serverTime: call.now,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
    ],
    exchangeFilters: [],
    symbols,
  });
}

function emptyFuturesInfo(call: ExchangeCall, futuresType: string): ExchangeReply {
  return ok({
    timezone: 'UTC',
    serverTime: call.now,
    futuresType,
    rateLimits: [],
    exchangeFilters: [],
    assets: [],
    symbols: [],
  });
}

function ticker(call: ExchangeCall, p: Record<string, string>): ExchangeReply {
  const render = (m: SpotMarket) => {
    const change = Number(m.last) - Number(m.open24h);
    return {
      symbol: m.base + m.quote,
      priceChange: d8(change),
      priceChangePercent: ((change / Number(m.open24h)) * 100).toFixed(3),
      weightedAvgPrice: d8(Number(m.turnover24h) / Number(m.volume24h)),
      prevClosePrice: d8(m.open24h),
      lastPrice: d8(m.last),
      lastQty: d8(m.qtyStep),
      bidPrice: d8(m.bid),
      bidQty: d8(m.bidSize),
      askPrice: d8(m.ask),
      askQty: d8(m.askSize),
      openPrice: d8(m.open24h),
      highPrice: d8(m.high24h),
      lowPrice: d8(m.low24h),
      volume: d8(m.volume24h),
      quoteVolume: d8(m.turnover24h),
      openTime: call.now - 86_400_000,
      closeTime: call.now,
      firstId: 4_801_000_000,
      lastId: 4_802_512_345,
      count: 1_512_346,
    };
  };
  if (!p.symbol) return ok(SPOT_MARKETS.map(render));
  const market = findMarket(p.symbol, '');
  return market ? ok(render(market)) : fail(400, -1121, 'Invalid symbol.');
}

function coinConfig(): unknown[] {
  const networks: Record<string, [string, string, string]> = {
    BTC: ['BTC', 'Bitcoin', '0.00002'],
    ETH: ['ETH', 'Ethereum', '0.0008'],
    USDT: ['ETH', 'Ethereum (ERC20)', '3.5'],
  };
  return BALANCES.map(({ coin, free }) => {
    const [network, name, fee] = networks[coin] ?? ['ETH', 'Ethereum (ERC20)', '1'];
    return {
      coin,
      depositAllEnable: true,
      withdrawAllEnable: true,
      name: coin,
      free,
      locked: '0',
      freeze: '0',
      withdrawing: '0',
      ipoing: '0',
      ipoable: '0',
      storage: '0',
      isLegalMoney: false,
      trading: true,
      networkList: [
        {
          network,
          coin,
          withdrawIntegerMultiple: '0.00000001',
          isDefault: true,
          depositEnable: true,
          withdrawEnable: true,
          depositDesc: '',
          withdrawDesc: '',
          specialTips: '',
          name,
          resetAddressStatus: false,
          addressRegex: '^[a-zA-Z0-9]{26,62}$',
          memoRegex: '',
          withdrawFee: fee,
          withdrawMin: fee,
          withdrawMax: '9999999',
          minConfirm: 1,
          unLockConfirm: 2,
          sameAddress: false,
          estimatedArrivalTime: 25,
          busy: false,
          contractAddressUrl: '',
          contractAddress: '',
        },
      ],
    };
  });
}

function marginPairs(cross: boolean): unknown[] {
  return SPOT_MARKETS.map((m, index) => ({
    ...(cross ? { id: 351637150141315 + index } : {}),
    symbol: m.base + m.quote,
    base: m.base,
    quote: m.quote,
    isMarginTrade: true,
    isBuyAllowed: true,
    isSellAllowed: true,
  }));
}

function apiRestrictions(key: ResolvedKey): ExchangeReply {
  if (key.keyInfoBody !== undefined) return ok(key.keyInfoBody, key.apiKey);
  const ipRestrict = key.ips.length > 0 && !key.ips.includes('*');
  const native = nativeFlags(key);
  return ok(
    {
      ipRestrict,
      createTime: Date.parse('2026-01-05T08:00:00Z'),
      enableReading: key.read,
      enableWithdrawals: key.withdraw,
      enableInternalTransfer: false,
      enableMargin: false,
      enableFutures: false,
      permitsUniversalTransfer: false,
      enableVanillaOptions: false,
      enableFixApiTrade: false,
      enableFixReadOnly: false,
      enableSpotAndMarginTrading: key.trade,
      enablePortfolioMarginTrading: false,
      // nativePermissions replace the flags above and may add flags Binance does not document.
      ...native,
      // Binance lets spot trading authority lapse on keys without an IP restriction.
      ...(key.expiresAt === null ? {} : { tradingAuthorityExpirationTime: key.expiresAt }),
    },
    key.apiKey,
  );
}

/**
 * The key's `nativePermissions` as Binance flags (`{ enableFixApiTrade: true }`), `{}` when unset.
 * @throws {TypeError} for anything but an object of booleans.
 */
function nativeFlags(key: ResolvedKey): Readonly<Record<string, boolean>> {
  const native = key.nativePermissions;
  if (native === undefined) return {};
  const valid =
    typeof native === 'object' &&
    native !== null &&
    !Array.isArray(native) &&
    Object.values(native).every((v) => typeof v === 'boolean');
  if (!valid) {
    throw new TypeError(
      'nativePermissions of a Binance sandbox key must be apiRestrictions flags, e.g. { enableSpotAndMarginTrading: true, enableFixApiTrade: true }.',
    );
  }
  return native as Readonly<Record<string, boolean>>;
}

/** What the key may do: its native flags when set (reading, spot trading, withdrawing), else its permissions. */
function powers(key: ResolvedKey): { read: boolean; trade: boolean; withdraw: boolean } {
  const native = nativeFlags(key);
  const flag = (name: string, fallback: boolean) => native[name] ?? fallback;
  return {
    read: flag('enableReading', key.read),
    trade: flag('enableSpotAndMarginTrading', key.trade),
    withdraw: flag('enableWithdrawals', key.withdraw),
  };
}

/** Binance bans an IP (HTTP 418) that keeps sending after this many 429 answers. */
const BAN_AFTER = 2;

/**
 * The answer to a key with `failWith`. `rate-limited`: HTTP 429 `-1003` with `Retry-After`, and
 * from the third answer on (or at once for `ip-banned`) HTTP 418, the IP ban Binance gives clients
 * that do not back off.
 * `permission-denied`: `-2015`, Binance's one answer to a missing permission.
 */
function failure(key: ResolvedKey, limited: Map<string, number>, now: number): ExchangeReply {
  if (key.failWith === 'permission-denied') {
    return fail(401, -2015, INVALID_KEY_IP_OR_PERMISSION, key.apiKey);
  }
  const count = (limited.get(key.apiKey) ?? 0) + 1;
  limited.set(key.apiKey, count);
  const banned = key.failWith === 'ip-banned' || count > BAN_AFTER;
  const reply = banned
    ? fail(
        418,
        -1003,
        `Way too much request weight used; IP banned until ${now + 120_000}. Please use WebSocket Streams for live updates to avoid bans.`,
        key.apiKey,
      )
    : fail(
        429,
        -1003,
        'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
        key.apiKey,
      );
  return { ...reply, headers: { 'Retry-After': banned ? '120' : '60' } };
}

function account(call: ExchangeCall, key: ResolvedKey): ExchangeReply {
  return ok(
    {
      makerCommission: 10,
      takerCommission: 10,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: d8(0.001), taker: d8(0.001), buyer: d8(0), seller: d8(0) },
      canTrade: powers(key).trade && !isExpired(key, call.now),
      canWithdraw: powers(key).withdraw,
      canDeposit: true,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: call.now - 60_000,
      accountType: 'SPOT',
      balances: BALANCES.map((b) => ({ asset: b.coin, free: d8(b.free), locked: d8(0) })),
      permissions: ['SPOT'],
      uid: 354937868,
    },
    key.apiKey,
  );
}

function renderOrder(order: SandboxOrder) {
  const filled = order.status === 'filled';
  return {
    symbol: order.symbol,
    orderId: Number(order.id),
    orderListId: -1,
    clientOrderId: order.clientId,
    price: order.type === 'limit' ? d8(order.price) : d8(0),
    origQty: d8(order.amount),
    executedQty: filled ? d8(order.amount) : d8(0),
    origQuoteOrderQty: d8(0),
    cummulativeQuoteQty: filled ? d8(Number(order.amount) * Number(order.price)) : d8(0),
    status: { open: 'NEW', filled: 'FILLED', canceled: 'CANCELED' }[order.status],
    timeInForce: 'GTC',
    type: order.type === 'limit' ? 'LIMIT' : 'MARKET',
    side: order.side === 'buy' ? 'BUY' : 'SELL',
    workingTime: order.createdAt,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}
