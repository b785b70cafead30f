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
import { BALANCES, SPOT_MARKETS, type SpotMarket, undersized } from './market-data.js';
import type { OrderStore, SandboxOrder } from './order-store.js';
import { ipAllowed, isExpired, keyId, type ResolvedKey } from './sandbox-key.js';
import { krakenSignature, sameText } from './signatures.js';

// Kraken answers errors with HTTP 200 and a list of `Severity+Category:Message` strings
// (https://docs.kraken.com/api-reference/ and https://support.kraken.com/articles/360001491786).
const ok = (result: unknown, apiKey?: string): ExchangeReply => ({
  status: 200,
  body: { error: [], result },
  ...(apiKey ? { apiKey } : {}),
});
const fail = (error: string, apiKey?: string): ExchangeReply => ({
  status: 200,
  body: { error: [error] },
  errorCode: error,
  ...(apiKey ? { apiKey } : {}),
});

/** Kraken's asset ids: Bitcoin is `XXBT` (altname `XBT`), Ether `XETH`, Tether `USDT`. */
const ASSETS: Readonly<Record<string, { id: string; altname: string }>> = {
  BTC: { id: 'XXBT', altname: 'XBT' },
  ETH: { id: 'XETH', altname: 'ETH' },
  USDT: { id: 'USDT', altname: 'USDT' },
};

const asset = (coin: string) => ASSETS[coin] ?? { id: coin, altname: coin };

/** The pair id Kraken uses for a market, e.g. `XBTUSDT` for BTC/USDT. */
function pairId(market: SpotMarket): string {
  return `${asset(market.base).altname}${asset(market.quote).altname}`;
}

function marketOf(pair: string | undefined): SpotMarket | undefined {
  return SPOT_MARKETS.find((market) => pairId(market) === pair);
}

function decimals(step: string): number {
  return step.includes('.') ? (step.split('.')[1] ?? '').length : 0;
}

/**
 * The permissions a key has as `GET /0/private/GetApiKeyInfo` lists them: its
 * `nativePermissions` list, else from its flags. The names are those of the documented example
 * (https://docs.kraken.com/api-reference/account-data/get-api-key-info): `query-funds`,
 * `query-open-trades`, `modify-trades`, `withdraw-funds`.
 */
function permissionsOf(key: ResolvedKey): readonly string[] {
  const native = key.nativePermissions;
  if (native !== undefined) {
    if (!Array.isArray(native) || !native.every((name) => typeof name === 'string')) {
      throw new TypeError(
        "nativePermissions of a Kraken sandbox key must be a list of permission names, e.g. ['query-funds', 'modify-trades'].",
      );
    }
    return native as readonly string[];
  }
  return [
    ...(key.read ? ['query-funds', 'query-open-trades'] : []),
    ...(key.withdraw ? ['withdraw-funds'] : []),
    ...(key.trade ? ['modify-trades'] : []),
  ];
}

/**
 * The Kraken spot REST imitation (`/0/public/*`, `/0/private/*`). Private calls are form-encoded
 * POSTs carrying a `nonce`; `API-Sign` is the base64 HMAC-SHA512, keyed with the base64-decoded
 * private key, of the URI path followed by SHA-256(nonce + POST data), as
 * https://docs.kraken.com/api-reference/ (authentication) describes. A nonce must be greater than
 * the last one the key sent, or Kraken answers `EAPI:Invalid nonce`: that is why one key serves
 * one process.
 *
 * Kraken documents no error of its own for a request from an IP address outside the key's
 * allowlist; the sandbox answers it with `EGeneral:Permission denied` (an assumption, said so in
 * the README). An expired key gets `EAPI:Invalid key`, which Kraken documents for keys that are
 * expired or disabled.
 */
export function krakenApi(keys: ReadonlyMap<string, ResolvedKey>, orders: OrderStore): ExchangeApi {
  for (const key of keys.values()) if (key.exchange === 'kraken') permissionsOf(key);
  const nonces = new Map<string, bigint>();
  const routes: Record<string, Route<Record<string, unknown>>> = {
    'GET /0/public/Time': {
      access: 'public',
      handle: (call) =>
        ok({
          unixtime: Math.floor(call.now / 1000),
          rfc1123: new Date(call.now).toUTCString(),
        }),
    },
    'GET /0/public/SystemStatus': {
      access: 'public',
      handle: (call) =>
        ok({ status: 'online', timestamp: new Date(call.now).toISOString().slice(0, 19) + 'Z' }),
    },
    'GET /0/public/Assets': { access: 'public', handle: () => ok(assets()) },
    'GET /0/public/AssetPairs': { access: 'public', handle: () => ok(assetPairs()) },
    'GET /0/public/Ticker': { access: 'public', handle: (_c, p) => ticker(p) },
    'POST /0/private/GetApiKeyInfo': {
      access: 'any',
      handle: (call, _p, key) => apiKeyInfo(call, key, nonces),
    },
    'POST /0/private/Balance': {
      access: 'read',
      handle: (_c, _p, key) =>
        ok(Object.fromEntries(BALANCES.map((b) => [asset(b.coin).id, b.free])), key.apiKey),
    },
    'POST /0/private/BalanceEx': {
      access: 'read',
      handle: (_c, _p, key) =>
        ok(
          Object.fromEntries(
            BALANCES.map((b) => [asset(b.coin).id, { balance: b.free, hold_trade: '0' }]),
          ),
          key.apiKey,
        ),
    },
    'POST /0/private/OpenOrders': {
      access: 'read',
      handle: (_c, _p, key) => ok({ open: ordersOf(key, (o) => o.status === 'open') }, key.apiKey),
    },
    'POST /0/private/QueryOrders': {
      access: 'read',
      handle: (_c, p, key) => {
        const ids = String(p.txid ?? '').split(',');
        return ok(
          ordersOf(key, (o) => ids.includes(o.id)),
          key.apiKey,
        );
      },
    },
    'POST /0/private/AddOrder': {
      access: 'trade',
      handle: (call, p, key) => addOrder(call, p, key),
    },
    'POST /0/private/CancelOrder': {
      access: 'trade',
      handle: (call, p, key) => {
        const found = orders.find('kraken', key.apiKey, { id: String(p.txid ?? '') });
        const canceled = orders.cancel(found, call.now);
        if (!canceled) return fail('EOrder:Unknown order', key.apiKey);
        return ok({ count: 1 }, key.apiKey);
      },
    },
  };

  function ordersOf(
    key: ResolvedKey,
    which: (order: SandboxOrder) => boolean,
  ): Record<string, unknown> {
    const found: Record<string, unknown> = {};
    for (const order of orders.list('kraken', key.apiKey)) {
      if (which(order)) found[order.id] = renderOrder(order);
    }
    return found;
  }

  function addOrder(call: ExchangeCall, p: Record<string, unknown>, key: ResolvedKey) {
    const pair = String(p.pair ?? '');
    const market = marketOf(pair);
    if (!market) return fail('EQuery:Unknown asset pair', key.apiKey);
    const side = p.type === 'buy' || p.type === 'sell' ? p.type : undefined;
    const type = p.ordertype === 'limit' || p.ordertype === 'market' ? p.ordertype : undefined;
    if (!side || !type || !p.volume) return fail('EGeneral:Invalid arguments', key.apiKey);
    if (type === 'limit' && !p.price) return fail('EGeneral:Invalid arguments:price', key.apiKey);
    const price = type === 'limit' ? String(p.price) : market.last;
    const small = undersized(String(p.volume), price, {
      minQty: market.minQty,
      minNotional: market.minNotional,
    });
    if (small === 'quantity') return fail('EOrder:Order minimum not met', key.apiKey);
    if (small === 'notional') return fail('EOrder:Cost minimum not met', key.apiKey);
    const order = orders.add({
      exchange: 'kraken',
      owner: key.apiKey,
      clientId: typeof p.cl_ord_id === 'string' ? p.cl_ord_id : '',
      symbol: pair,
      side,
      type,
      amount: String(p.volume),
      price,
      now: call.now,
    });
    return ok({ descr: { order: describeOrder(order) }, txid: [order.id] }, key.apiKey);
  }

  return exchangeApi({
    routes,
    params: (call) =>
      call.method === 'POST'
        ? call.rawBody.trimStart().startsWith('{')
          ? jsonParams(call.rawBody)
          : formParams(call.rawBody)
        : formParams(call.rawQuery),
    authenticate: (call, params) => authenticate(call, params, keys, nonces),
    permits: (key, access) =>
      permissionsOf(key).includes(access === 'read' ? 'query-funds' : 'modify-trades'),
    denied: (_call, key) => fail('EGeneral:Permission denied', key.apiKey),
  });
}

const NONCE = /^\d{1,20}$/;

function authenticate(
  call: ExchangeCall,
  params: Record<string, unknown>,
  keys: ReadonlyMap<string, ResolvedKey>,
  nonces: Map<string, bigint>,
): { key: ResolvedKey } | { reply: ExchangeReply } {
  const apiKey = header(call, 'API-Key');
  const sign = header(call, 'API-Sign');
  if (!apiKey) return { reply: fail('EAPI:Invalid key') };
  const key = keys.get(keyId('kraken', apiKey));
  if (!key) return { reply: fail('EAPI:Invalid key') };
  const reject = (error: string) => ({ reply: fail(error, apiKey) });
  // Kraken documents EAPI:Invalid key for keys that are expired or disabled.
  if (isExpired(key, call.now)) return reject('EAPI:Invalid key');
  // Kraken spot has no testnet: a key of another environment is unknown here.
  if (key.environment !== call.environment) return reject('EAPI:Invalid key');
  const nonce = String(params.nonce ?? '');
  if (!NONCE.test(nonce)) return reject('EAPI:Invalid nonce');
  if (!sign || !sameText(krakenSignature(key.apiSecret, call.path, nonce, call.rawBody), sign)) {
    return reject('EAPI:Invalid signature');
  }
  const id = keyId('kraken', apiKey);
  const last = nonces.get(id);
  if (last !== undefined && BigInt(nonce) <= last) return reject('EAPI:Invalid nonce');
  nonces.set(id, BigInt(nonce));
  if (!ipAllowed(key, call.ip)) return reject('EGeneral:Permission denied');
  if (key.failWith === 'rate-limited') return reject('EAPI:Rate limit exceeded');
  if (key.failWith === 'ip-banned') return reject('EGeneral:Temporary lockout');
  if (key.failWith === 'permission-denied') return reject('EGeneral:Permission denied');
  return { key };
}

/** `POST /0/private/GetApiKeyInfo`, in the shape of the documented response example. */
function apiKeyInfo(
  call: ExchangeCall,
  key: ResolvedKey,
  nonces: ReadonlyMap<string, bigint>,
): ExchangeReply {
  if (key.keyInfoBody !== undefined) {
    return { status: 200, body: key.keyInfoBody, apiKey: key.apiKey };
  }
  const seconds = (ms: number) => String(Math.floor(ms / 1000));
  return ok(
    {
      apiKeyName: 'exkeys-sandbox-key',
      apiKey: key.apiKey,
      nonce: String(nonces.get(keyId('kraken', key.apiKey)) ?? 0n),
      nonceWindow: 0,
      permissions: [...permissionsOf(key)],
      iban: 'AA88 N84G WOAK NMOI',
      validUntil: key.expiresAt === null ? '0' : seconds(key.expiresAt),
      queryFrom: '0',
      queryTo: '0',
      createdTime: seconds(call.now - 86_400_000),
      modifiedTime: seconds(call.now - 86_400_000),
      ipAllowlist: key.ips.filter((ip) => ip !== '*'),
      lastUsed: seconds(call.now),
    },
    key.apiKey,
  );
}

function assets(): Record<string, unknown> {
  const coins = [...new Set(SPOT_MARKETS.flatMap((m) => [m.base, m.quote]))];
  return Object.fromEntries(
    coins.map((coin) => [
      asset(coin).id,
      {
        aclass: 'currency',
        altname: asset(coin).altname,
        decimals: coin === 'USDT' ? 8 : 10,
        display_decimals: coin === 'USDT' ? 4 : 5,
        collateral_value: 1,
        status: 'enabled',
      },
    ]),
  );
}

function assetPairs(): Record<string, unknown> {
  const fees = [
    [0, 0.26],
    [50000, 0.24],
    [100000, 0.22],
  ];
  const makerFees = [
    [0, 0.16],
    [50000, 0.14],
    [100000, 0.12],
  ];
  return Object.fromEntries(
    SPOT_MARKETS.map((m) => [
      pairId(m),
      {
        altname: pairId(m),
        wsname: `${asset(m.base).altname}/${asset(m.quote).altname}`,
        aclass_base: 'currency',
        base: asset(m.base).id,
        aclass_quote: 'currency',
        quote: asset(m.quote).id,
        lot: 'unit',
        cost_decimals: 5,
        pair_decimals: decimals(m.tickSize),
        lot_decimals: decimals(m.qtyStep),
        lot_multiplier: 1,
        leverage_buy: [],
        leverage_sell: [],
        fees,
        fees_maker: makerFees,
        fee_volume_currency: 'ZUSD',
        margin_call: 80,
        margin_stop: 40,
        ordermin: m.minQty,
        costmin: m.minNotional,
        tick_size: m.tickSize,
        status: 'online',
      },
    ]),
  );
}

function ticker(p: Record<string, unknown>): ExchangeReply {
  const pairs = String(p.pair ?? '').split(',');
  const markets = pairs.map(marketOf);
  if (markets.some((m) => m === undefined)) return fail('EQuery:Unknown asset pair');
  return ok(
    Object.fromEntries(
      (markets as SpotMarket[]).map((m) => [
        pairId(m),
        {
          a: [m.ask, '1', m.askSize],
          b: [m.bid, '1', m.bidSize],
          c: [m.last, m.qtyStep],
          v: [m.volume24h, m.volume24h],
          p: [
            (Number(m.turnover24h) / Number(m.volume24h)).toFixed(2),
            (Number(m.turnover24h) / Number(m.volume24h)).toFixed(2),
          ],
          t: [34619, 38907],
          l: [m.low24h, m.low24h],
          h: [m.high24h, m.high24h],
          o: m.open24h,
        },
      ]),
    ),
  );
}

function describeOrder(order: SandboxOrder): string {
  const at = order.type === 'limit' ? ` @ limit ${order.price}` : ' @ market';
  return `${order.side} ${order.amount} ${order.symbol}${at}`;
}

function renderOrder(order: SandboxOrder): Record<string, unknown> {
  const filled = order.status === 'filled';
  return {
    refid: null,
    userref: 0,
    cl_ord_id: order.clientId || undefined,
    status: order.status === 'canceled' ? 'canceled' : filled ? 'closed' : 'open',
    opentm: order.createdAt / 1000,
    starttm: 0,
    expiretm: 0,
    descr: {
      pair: order.symbol,
      type: order.side,
      ordertype: order.type,
      price: order.type === 'limit' ? order.price : '0',
      price2: '0',
      leverage: 'none',
      order: describeOrder(order),
      close: '',
    },
    vol: order.amount,
    vol_exec: filled ? order.amount : '0.00000000',
    cost: filled ? String(Number(order.amount) * Number(order.price)) : '0.00000',
    fee: '0.00000',
    price: filled ? order.price : '0.00000',
    stopprice: '0.00000',
    limitprice: '0.00000',
    misc: '',
    oflags: 'fciq',
  };
}
