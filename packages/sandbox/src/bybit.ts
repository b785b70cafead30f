import { BYBIT_MASTER_UID, bybitSubKeyRoutes } from './bybit-sub-keys.js';
import {
  type ExchangeApi,
  type ExchangeCall,
  type ExchangeReply,
  exchangeApi,
  header,
  queryOrJsonParams,
  type Route,
} from './exchange-api.js';
import {
  BALANCES,
  findMarket,
  SPOT_MARKETS,
  type SpotMarket,
  totalUsd,
  undersized,
} from './market-data.js';
import type { OrderStore, SandboxOrder } from './order-store.js';
import { ipAllowed, isExpired, keyId, type ResolvedKey } from './sandbox-key.js';
import { hmacSha256, sameText, verifyPemSignature } from './signatures.js';

/** Bybit's default `X-BAPI-RECV-WINDOW` when a request omits it. */
const DEFAULT_RECV_WINDOW = 5000;

/** Bybit v5 wraps every answer, success or error, in this envelope with HTTP 200. */
function envelope(
  retCode: number,
  retMsg: string,
  result: unknown,
  now: number,
  apiKey?: string,
  headers?: Readonly<Record<string, string>>,
): ExchangeReply {
  return {
    status: 200,
    body: { retCode, retMsg, result, retExtInfo: {}, time: now },
    ...(retCode === 0 ? {} : { errorCode: String(retCode) }),
    ...(apiKey ? { apiKey } : {}),
    ...(headers ? { headers } : {}),
  };
}

/** How long the sandbox's rate limit lasts once hit, in ms (Bybit's windows are per second). */
const LIMIT_RESET_MS = 2000;

/**
 * What a Bybit key with `nativePermissions` holds; `undefined` for a key described by
 * `permissions` alone.
 */
function nativeGroups(key: ResolvedKey): Readonly<Record<string, readonly string[]>> | undefined {
  const native = key.nativePermissions;
  return native && typeof native === 'object'
    ? (native as Record<string, readonly string[]>)
    : undefined;
}

/** Whether the key holds `group` with `value`, from its native permissions or its flags. */
function holds(key: ResolvedKey, group: string, value: string): boolean {
  const native = nativeGroups(key);
  if (native) {
    const values = Object.hasOwn(native, group) ? native[group] : undefined;
    return Array.isArray(values) && values.includes(value);
  }
  return group === 'Spot' && value === 'SpotTrade' && key.trade;
}

/**
 * The Bybit v5 imitation: signs are checked exactly as Bybit checks them
 * (`timestamp + apiKey + recvWindow + queryString|jsonBody`, HMAC hex or RSA base64) and
 * failures carry Bybit's retCodes.
 */
export function bybitApi(keys: Map<string, ResolvedKey>, orders: OrderStore): ExchangeApi {
  const routes: Record<string, Route<Record<string, unknown>>> = {
    'GET /v5/market/time': {
      access: 'public',
      handle: (call) =>
        envelope(
          0,
          'OK',
          { timeSecond: String(Math.floor(call.now / 1000)), timeNano: `${call.now}000000` },
          call.now,
        ),
    },
    'GET /v5/market/instruments-info': { access: 'public', handle: instruments },
    'GET /v5/market/tickers': { access: 'public', handle: tickers },
    'GET /v5/asset/coin/query-info': { access: 'read', handle: coinInfo },
    'GET /v5/user/query-api': {
      access: 'any',
      handle: (call, _p, key) =>
        // Demo trading has no query-api; Bybit answers what it answers for any such endpoint.
        call.environment === 'demo'
          ? envelope(10032, 'Demo trading are not supported.', {}, call.now, key.apiKey)
          : keyInfo(call, key),
    },
    'GET /v5/account/info': {
      access: 'read',
      handle: (call) =>
        envelope(
          0,
          'success',
          {
            marginMode: 'REGULAR_MARGIN',
            updatedTime: String(call.now - 86_400_000),
            unifiedMarginStatus: 5,
            dcpStatus: 'OFF',
            timeWindow: 10,
            smpGroup: 0,
            isMasterTrader: false,
            spotHedgingStatus: 'OFF',
          },
          call.now,
        ),
    },
    'GET /v5/account/wallet-balance': { access: 'read', handle: walletBalance },
    'POST /v5/order/create': {
      access: 'trade',
      handle: (call, p, key) => createOrder(call, p, key),
    },
    'POST /v5/order/cancel': {
      access: 'trade',
      handle: (call, p, key) => cancelOrder(call, p, key),
    },
    'GET /v5/order/realtime': {
      access: 'read',
      handle: (call, p, key) => openOrders(call, p, key),
    },
    ...bybitSubKeyRoutes(keys, envelope, groupsOf),
  };

  function createOrder(
    call: ExchangeCall,
    p: Record<string, unknown>,
    key: ResolvedKey,
  ): ExchangeReply {
    const market = findMarket(String(p.symbol), '');
    if (p.category !== 'spot' || !market) {
      return envelope(10001, 'params error: symbol invalid', {}, call.now, key.apiKey);
    }
    const side = String(p.side).toLowerCase();
    const type = String(p.orderType).toLowerCase();
    if ((side !== 'buy' && side !== 'sell') || (type !== 'limit' && type !== 'market') || !p.qty) {
      return envelope(
        10001,
        'params error: side, orderType or qty invalid',
        {},
        call.now,
        key.apiKey,
      );
    }
    if (type === 'limit' && !p.price) {
      return envelope(
        10001,
        'params error: price is required for Limit orders',
        {},
        call.now,
        key.apiKey,
      );
    }
    const small = type === 'limit' ? undersized(String(p.qty), String(p.price), market) : undefined;
    if (small === 'quantity') {
      return envelope(170136, 'Order quantity exceeded lower limit.', {}, call.now, key.apiKey);
    }
    if (small === 'notional') {
      return envelope(170140, 'Order value exceeded lower limit.', {}, call.now, key.apiKey);
    }
    const order = orders.add({
      exchange: 'bybit',
      owner: key.apiKey,
      clientId:
        typeof p.orderLinkId === 'string' && p.orderLinkId ? p.orderLinkId : String(call.now),
      symbol: String(p.symbol),
      side,
      type,
      amount: String(p.qty),
      price: type === 'limit' ? String(p.price) : market.last,
      now: call.now,
    });
    return envelope(
      0,
      'OK',
      { orderId: order.id, orderLinkId: order.clientId },
      call.now,
      key.apiKey,
    );
  }

  /** The key's order named by `orderId` or `orderLinkId` in the market `symbol`, which cancel needs. */
  function findOrder(
    p: Record<string, unknown>,
    key: ResolvedKey,
    symbolRequired: boolean,
  ): SandboxOrder | undefined {
    return orders.find('bybit', key.apiKey, {
      id: typeof p.orderId === 'string' ? p.orderId : undefined,
      clientId: typeof p.orderLinkId === 'string' ? p.orderLinkId : undefined,
      ...(symbolRequired || p.symbol !== undefined ? { market: p.symbol } : {}),
    });
  }

  function cancelOrder(
    call: ExchangeCall,
    p: Record<string, unknown>,
    key: ResolvedKey,
  ): ExchangeReply {
    const canceled = orders.cancel(findOrder(p, key, true), call.now);
    if (!canceled) return envelope(170213, 'Order does not exist.', {}, call.now, key.apiKey);
    return envelope(
      0,
      'OK',
      { orderId: canceled.id, orderLinkId: canceled.clientId },
      call.now,
      key.apiKey,
    );
  }

  function openOrders(
    call: ExchangeCall,
    p: Record<string, unknown>,
    key: ResolvedKey,
  ): ExchangeReply {
    const found = findOrder(p, key, false);
    const list = found ? [renderOrder(found)] : [];
    return envelope(0, 'OK', { list, nextPageCursor: '', category: 'spot' }, call.now, key.apiKey);
  }

  return exchangeApi({
    routes,
    params: queryOrJsonParams,
    authenticate: (call) => authenticate(call, keys),
    // Reading needs no permission on Bybit; spot orders need Spot SpotTrade and a read-write key.
    permits: (key, access) =>
      access === 'read' ? key.read : holds(key, 'Spot', 'SpotTrade') && readOnly(key) === 0,
    denied: (call, key) =>
      envelope(
        10005,
        'Permission denied, please check your API key permissions.',
        {},
        call.now,
        key.apiKey,
      ),
  });
}

function authenticate(
  call: ExchangeCall,
  keys: ReadonlyMap<string, ResolvedKey>,
): { key: ResolvedKey } | { reply: ExchangeReply } {
  const apiKey = header(call, 'X-BAPI-API-KEY');
  const key = apiKey ? keys.get(keyId('bybit', apiKey)) : undefined;
  // A key of another environment (mainnet, testnet, demo) does not exist on this host.
  if (!apiKey || !key || key.environment !== call.environment) {
    return { reply: envelope(10003, 'API key is invalid.', {}, call.now) };
  }
  const fail = (code: number, message: string) => ({
    reply: envelope(code, message, {}, call.now, apiKey),
  });

  const timestamp = header(call, 'X-BAPI-TIMESTAMP') ?? '';
  // The recv window is optional: without the header it is 5000 ms and absent from the signed text.
  const sentRecvWindow = header(call, 'X-BAPI-RECV-WINDOW');
  const recvWindowText = sentRecvWindow ?? String(DEFAULT_RECV_WINDOW);
  const requestTime = Number(timestamp);
  const recvWindow = Number(recvWindowText);
  // Bybit's rule: server_time - recv_window <= timestamp < server_time + 1000
  if (
    !/^\d+$/.test(timestamp) ||
    !/^\d+$/.test(recvWindowText) ||
    requestTime < call.now - recvWindow ||
    requestTime >= call.now + 1000
  ) {
    return fail(
      10002,
      `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestamp}],server_timestamp[${call.now}],recv_window[${recvWindowText}]`,
    );
  }

  const signature = header(call, 'X-BAPI-SIGN') ?? '';
  const payload =
    timestamp +
    apiKey +
    (sentRecvWindow ?? '') +
    (call.method === 'GET' ? call.rawQuery : call.rawBody);
  const valid = key.verifyPem
    ? verifyPemSignature(key.verifyPem, payload, signature)
    : sameText(hmacSha256(key.apiSecret, payload, 'hex'), signature.toLowerCase());
  if (!valid) {
    // Bybit echoes the signed text with its timestamp, key and recv window masked.
    const params = call.method === 'GET' ? call.rawQuery : call.rawBody;
    return fail(
      10004,
      `Error sign, please check your signature generation algorithm: origin_string[***${params}]`,
    );
  }
  if (!ipAllowed(key, call.ip)) {
    return fail(10010, "Unmatched IP, please check your API key's bound IP addresses.");
  }
  if (isExpired(key, call.now)) return fail(33004, 'Your api key has expired.');
  if (key.failWith === 'rate-limited') {
    // Bybit answers the per-UID limit with HTTP 200, 10006 and its rate-limit headers.
    return {
      reply: envelope(
        10006,
        'Too many visits. Exceeded the API Rate Limit.',
        {},
        call.now,
        apiKey,
        {
          'X-Bapi-Limit': '10',
          'X-Bapi-Limit-Status': '0',
          'X-Bapi-Limit-Reset-Timestamp': String(call.now + LIMIT_RESET_MS),
        },
      ),
    };
  }
  if (key.failWith === 'ip-banned') {
    // Bybit's IP ban: HTTP 403 with a plain-text body, no retCode; it lasts at least 10 minutes.
    return { reply: { status: 403, body: 'access too frequent', errorCode: '403', apiKey } };
  }
  if (key.failWith === 'permission-denied') {
    return fail(10005, 'Permission denied, please check your API key permissions.');
  }
  return { key };
}

/** Bybit's `readOnly`: `1` unless the key holds a trading value (or, without native ones, trades). */
function readOnly(key: ResolvedKey): 0 | 1 {
  const native = nativeGroups(key);
  if (!native) return key.trade ? 0 : 1;
  const trading = Object.entries(native).some(
    ([group, values]) => TRADE_GROUPS.has(group) && Array.isArray(values) && values.length > 0,
  );
  return trading ? 0 : 1;
}

/** The groups whose values place orders, for `readOnly` of keys with native permissions. */
const TRADE_GROUPS = new Set([
  'ContractTrade',
  'Spot',
  'Options',
  'Derivatives',
  'CopyTrading',
  'BlockTrade',
  'Exchange',
  'Earn',
]);

function instruments(call: ExchangeCall, p: Record<string, unknown>): ExchangeReply {
  const category = String(p.category ?? '');
  if (category !== 'spot') {
    // The sandbox lists no derivatives: an empty page ends ccxt's pagination.
    return envelope(0, 'OK', { category, list: [], nextPageCursor: '' }, call.now);
  }
  const list = SPOT_MARKETS.filter((m) => !p.symbol || p.symbol === m.base + m.quote).map((m) => ({
    symbol: m.base + m.quote,
    baseCoin: m.base,
    quoteCoin: m.quote,
    innovation: '0',
    status: 'Trading',
    marginTrading: 'utaOnly',
    stTag: '0',
    lotSizeFilter: {
      basePrecision: m.qtyStep,
      quotePrecision: '0.00000001',
      minOrderQty: m.minQty,
      maxOrderQty: m.maxQty,
      minOrderAmt: m.minNotional,
      maxOrderAmt: '2000000',
    },
    priceFilter: { tickSize: m.tickSize },
    riskParameters: { priceLimitRatioX: '0.005', priceLimitRatioY: '0.01' },
  }));
  return envelope(0, 'OK', { category, list }, call.now);
}

function tickers(call: ExchangeCall, p: Record<string, unknown>): ExchangeReply {
  if (p.category !== 'spot')
    return envelope(0, 'OK', { category: p.category ?? '', list: [] }, call.now);
  const markets = p.symbol ? [findMarket(String(p.symbol), '')] : SPOT_MARKETS;
  if (markets.some((m) => m === undefined))
    return envelope(10001, 'Not supported symbols', {}, call.now);
  const list = (markets as SpotMarket[]).map((m) => ({
    symbol: m.base + m.quote,
    bid1Price: m.bid,
    bid1Size: m.bidSize,
    ask1Price: m.ask,
    ask1Size: m.askSize,
    lastPrice: m.last,
    prevPrice24h: m.open24h,
    price24hPcnt: ((Number(m.last) - Number(m.open24h)) / Number(m.open24h)).toFixed(4),
    highPrice24h: m.high24h,
    lowPrice24h: m.low24h,
    turnover24h: m.turnover24h,
    volume24h: m.volume24h,
    usdIndexPrice: m.last,
  }));
  return envelope(0, 'OK', { category: 'spot', list }, call.now);
}

function coinInfo(call: ExchangeCall): ExchangeReply {
  const chains: Record<string, [string, string, string]> = {
    BTC: ['BTC', 'BTC', '0.0002'],
    ETH: ['ETH', 'ETH', '0.0012'],
    USDT: ['ETH', 'ERC20', '4'],
  };
  const rows = BALANCES.map(({ coin }) => {
    const [chain, chainType, fee] = chains[coin] ?? ['ETH', 'ERC20', '1'];
    return {
      name: coin,
      coin,
      remainAmount: '1500000',
      chains: [
        {
          chain,
          chainType,
          confirmation: '6',
          withdrawFee: fee,
          depositMin: '0',
          withdrawMin: fee,
          minAccuracy: '8',
          chainDeposit: '1',
          chainWithdraw: '1',
          withdrawPercentageFee: '0',
          contractAddress: '',
          safeConfirmNumber: '1',
        },
      ],
    };
  });
  return envelope(0, 'success', { rows }, call.now);
}

/** The key's permissions as Bybit reports them: its native ones, else derived from its flags. */
function groupsOf(key: ResolvedKey): Readonly<Record<string, readonly string[]>> {
  return (
    nativeGroups(key) ?? {
      ContractTrade: key.trade ? ['Order', 'Position'] : [],
      Spot: key.trade ? ['SpotTrade'] : [],
      Wallet: key.withdraw ? ['Withdraw'] : [],
      Options: key.trade ? ['OptionsTrade'] : [],
      Derivatives: key.trade ? ['DerivativesTrade'] : [],
      CopyTrading: [],
      BlockTrade: [],
      Exchange: key.trade ? ['ExchangeHistory'] : [],
      NFT: [],
      Affiliate: [],
      Earn: [],
    }
  );
}

function keyInfo(call: ExchangeCall, key: ResolvedKey): ExchangeReply {
  if (key.keyInfoBody !== undefined) {
    return { status: 200, body: key.keyInfoBody, apiKey: key.apiKey };
  }
  const bound = key.ips.length > 0 && !key.ips.includes('*');
  // Unbound keys expire after 90 days on Bybit; the sandbox takes expiresAt as given. A key that
  // never expires is reported as Bybit reports an IP-bound key: deadlineDay -2, expiredAt the epoch.
  const deadlineDay =
    key.expiresAt === null ? -2 : Math.max(0, Math.ceil((key.expiresAt - call.now) / 86_400_000));
  return envelope(
    0,
    '',
    {
      id: '13770661',
      note: key.label,
      apiKey: key.apiKey,
      readOnly: readOnly(key),
      secret: '',
      permissions: groupsOf(key),
      ips: bound ? [...key.ips] : ['*'],
      type: 1,
      deadlineDay,
      expiredAt: new Date(key.expiresAt ?? 0).toISOString().replace('.000Z', 'Z'),
      createdAt: '2026-01-05T08:00:00Z',
      unified: 0,
      uta: 1,
      userID: Number(key.subAccount ?? BYBIT_MASTER_UID),
      inviterID: 0,
      vipLevel: 'No VIP',
      mktMakerLevel: '0',
      affiliateID: 0,
      rsaPublicKey: '',
      isMaster: key.subAccount === null,
      parentUid: key.subAccount === null ? '0' : BYBIT_MASTER_UID,
      kycLevel: 'LEVEL_DEFAULT',
      kycRegion: '',
    },
    call.now,
    key.apiKey,
  );
}

function walletBalance(call: ExchangeCall): ExchangeReply {
  const total = totalUsd();
  const coin = BALANCES.map((b) => ({
    coin: b.coin,
    equity: b.free,
    usdValue: b.usd,
    walletBalance: b.free,
    availableToWithdraw: b.free,
    availableToBorrow: '',
    borrowAmount: '0',
    accruedInterest: '0',
    totalOrderIM: '0',
    totalPositionIM: '0',
    totalPositionMM: '0',
    unrealisedPnl: '0',
    cumRealisedPnl: '0',
    bonus: '0',
    collateralSwitch: true,
    marginCollateral: true,
    locked: '0',
    spotHedgingQty: '0',
  }));
  return envelope(
    0,
    'OK',
    {
      list: [
        {
          accountType: 'UNIFIED',
          accountIMRate: '0',
          accountMMRate: '0',
          accountLTV: '0',
          totalEquity: total,
          totalWalletBalance: total,
          totalMarginBalance: total,
          totalAvailableBalance: total,
          totalPerpUPL: '0',
          totalInitialMargin: '0',
          totalMaintenanceMargin: '0',
          coin,
        },
      ],
    },
    call.now,
  );
}

function renderOrder(order: SandboxOrder): Record<string, unknown> {
  const filled = order.status === 'filled';
  const value = (Number(order.amount) * Number(order.price)).toString();
  return {
    orderId: order.id,
    orderLinkId: order.clientId,
    blockTradeId: '',
    symbol: order.symbol,
    price: order.type === 'limit' ? order.price : '0',
    qty: order.amount,
    side: order.side === 'buy' ? 'Buy' : 'Sell',
    isLeverage: '0',
    positionIdx: 0,
    orderStatus: { open: 'New', filled: 'Filled', canceled: 'Cancelled' }[order.status],
    cancelType: order.status === 'canceled' ? 'CancelByUser' : 'UNKNOWN',
    rejectReason: 'EC_NoError',
    avgPrice: filled ? order.price : '0',
    leavesQty: order.status === 'open' ? order.amount : '0',
    leavesValue: order.status === 'open' ? value : '0',
    cumExecQty: filled ? order.amount : '0',
    cumExecValue: filled ? value : '0',
    cumExecFee: '0',
    timeInForce: order.type === 'limit' ? 'GTC' : 'IOC',
    orderType: order.type === 'limit' ? 'Limit' : 'Market',
    stopOrderType: '',
    triggerPrice: '0',
    takeProfit: '0',
    stopLoss: '0',
    reduceOnly: false,
    closeOnTrigger: false,
    createdTime: String(order.createdAt),
    updatedTime: String(order.updatedAt),
  };
}
