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
import { BALANCES, findMarket, SPOT_MARKETS, totalUsd, undersized } from './market-data.js';
import { OKX_MASTER_UID, okxSubKeyRoutes, okxSubUid } from './okx-sub-keys.js';
import type { OrderStore, SandboxOrder } from './order-store.js';
import { ipAllowed, isExpired, keyId, type ResolvedKey } from './sandbox-key.js';
import { hmacSha256, sameText } from './signatures.js';

/** OKX rejects request timestamps more than 30 s away from its clock. */
const TIMESTAMP_WINDOW_MS = 30_000;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

const ok = (data: unknown[], apiKey?: string): ExchangeReply => ({
  status: 200,
  body: { code: '0', msg: '', data },
  ...(apiKey ? { apiKey } : {}),
});
/** Authentication failures come back as HTTP 401 with `{msg, code}`, as OKX sends them. */
const fail = (status: number, code: string, msg: string, apiKey?: string): ExchangeReply => ({
  status,
  body: { msg, code, ...(status === 200 ? { data: [] } : {}) },
  errorCode: code,
  ...(apiKey ? { apiKey } : {}),
});

/**
 * The OKX v5 imitation: `OK-ACCESS-SIGN` is the base64 HMAC of
 * `timestamp + METHOD + requestPath(+query) + body`, the timestamp must be within 30 s and the
 * passphrase must match. A request with `x-simulated-trading: 1` is a demo-trading request: only
 * keys of the `demo` (or `testnet`) environment may send it, and only they must.
 */
export function okxApi(keys: Map<string, ResolvedKey>, orders: OrderStore): ExchangeApi {
  for (const key of keys.values()) if (key.exchange === 'okx') nativePerm(key);
  const routes: Record<string, Route<Record<string, unknown>>> = {
    'GET /api/v5/public/time': {
      access: 'public',
      handle: (call) => ok([{ ts: String(call.now) }]),
    },
    'GET /api/v5/public/instruments': { access: 'public', handle: instruments },
    'GET /api/v5/market/ticker': { access: 'public', handle: ticker },
    'GET /api/v5/asset/currencies': {
      access: 'read',
      handle: (_c, _p, key) => ok(currencies(), key.apiKey),
    },
    'GET /api/v5/account/config': {
      access: 'any',
      handle: (call, _p, key) => accountConfig(call, key),
    },
    'GET /api/v5/account/balance': {
      access: 'read',
      handle: (call, _p, key) => ok(balance(call), key.apiKey),
    },
    'POST /api/v5/trade/order': {
      access: 'trade',
      handle: (call, _p, key) => createOrders(call, key, false),
    },
    'POST /api/v5/trade/batch-orders': {
      access: 'trade',
      handle: (call, _p, key) => createOrders(call, key, true),
    },
    'POST /api/v5/trade/cancel-order': {
      access: 'trade',
      handle: (call, p, key) => cancelOrder(call, p, key),
    },
    'GET /api/v5/trade/order': {
      access: 'read',
      handle: (call, p, key) => queryOrder(call, p, key),
    },
    ...okxSubKeyRoutes(keys, permOf),
  };

  /** Places one order; returns OKX's per-order result item and whether it was accepted. */
  function placeOrder(call: ExchangeCall, p: Record<string, unknown>, key: ResolvedKey) {
    const instId = String(p.instId ?? '');
    const market = findMarket(instId, '-');
    const clOrdId = typeof p.clOrdId === 'string' ? p.clOrdId : '';
    const tag = typeof p.tag === 'string' ? p.tag : '';
    const item = (ordId: string, sCode: string, sMsg: string) => ({
      clOrdId,
      ordId,
      tag,
      ts: String(call.now),
      sCode,
      sMsg,
    });
    if (!market)
      return item('', '51001', "Instrument ID, Instrument ID code, or Spread ID doesn't exist.");
    const side = p.side === 'buy' || p.side === 'sell' ? p.side : undefined;
    const type = p.ordType === 'limit' || p.ordType === 'market' ? p.ordType : undefined;
    if (!side || !type || !p.sz) return item('', '51000', 'Parameter side, ordType or sz error');
    if (type === 'limit' && !p.px) return item('', '51000', 'Parameter px error');
    // OKX spot has a minimum size (minSz) and no minimum value.
    if (type === 'limit' && undersized(String(p.sz), String(p.px), { minQty: market.minQty })) {
      return item('', '51020', 'Your order should meet or exceed the minimum order amount.');
    }
    const order = orders.add({
      exchange: 'okx',
      owner: key.apiKey,
      clientId: clOrdId,
      symbol: instId,
      side,
      type,
      amount: String(p.sz),
      price: type === 'limit' ? String(p.px) : market.last,
      now: call.now,
    });
    return item(order.id, '0', 'Order placed');
  }

  /** `trade/order` takes one order object, `trade/batch-orders` (ccxt's default) an array. */
  function createOrders(call: ExchangeCall, key: ResolvedKey, batch: boolean): ExchangeReply {
    const parsed = jsonValue(call.rawBody);
    const requests = (batch ? parsed : [parsed]) as unknown;
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > 20) {
      return fail(400, '50000', 'Body for POST request cannot be empty.', key.apiKey);
    }
    const data = requests.map((p) => placeOrder(call, (p ?? {}) as Record<string, unknown>, key));
    const failed = data.filter((d) => d.sCode !== '0');
    const code = failed.length === 0 ? '0' : failed.length === data.length ? '1' : '2';
    const msg = {
      '0': '',
      '1': 'All operations failed',
      '2': 'Bulk operation partially succeeded',
    }[code];
    return {
      status: 200,
      body: { code, msg, data, inTime: `${call.now}000`, outTime: `${call.now}000` },
      ...(failed[0] ? { errorCode: failed[0].sCode } : {}),
      apiKey: key.apiKey,
    };
  }

  function cancelOrder(
    call: ExchangeCall,
    p: Record<string, unknown>,
    key: ResolvedKey,
  ): ExchangeReply {
    const ordId = typeof p.ordId === 'string' ? p.ordId : undefined;
    const clOrdId = typeof p.clOrdId === 'string' ? p.clOrdId : undefined;
    const found = orders.find('okx', key.apiKey, {
      id: ordId,
      clientId: clOrdId,
      market: p.instId,
    });
    const canceled = orders.cancel(found, call.now);
    if (!canceled) {
      return {
        status: 200,
        body: {
          code: '1',
          msg: 'All operations failed',
          data: [
            {
              clOrdId: clOrdId ?? '',
              ordId: ordId ?? '',
              sCode: '51400',
              sMsg: 'Order cancellation failed as the order has been filled, canceled or does not exist.',
              ts: String(call.now),
            },
          ],
        },
        errorCode: '51400',
        apiKey: key.apiKey,
      };
    }
    return ok(
      [
        {
          clOrdId: canceled.clientId,
          ordId: canceled.id,
          ts: String(call.now),
          sCode: '0',
          sMsg: '',
        },
      ],
      key.apiKey,
    );
  }

  function queryOrder(
    _call: ExchangeCall,
    p: Record<string, unknown>,
    key: ResolvedKey,
  ): ExchangeReply {
    const found = orders.find('okx', key.apiKey, {
      id: typeof p.ordId === 'string' ? p.ordId : undefined,
      clientId: typeof p.clOrdId === 'string' ? p.clOrdId : undefined,
      market: p.instId,
    });
    if (!found) return fail(200, '51603', 'Order does not exist', key.apiKey);
    return ok([renderOrder(found)], key.apiKey);
  }

  return exchangeApi({
    routes,
    params: queryOrJsonParams,
    authenticate: (call) => authenticate(call, keys),
    permits: (key, access) => powers(key)[access],
    denied: (_call, key) => fail(401, '50120', "API key doesn't have permission", key.apiKey),
  });
}

function authenticate(
  call: ExchangeCall,
  keys: ReadonlyMap<string, ResolvedKey>,
): { key: ResolvedKey } | { reply: ExchangeReply } {
  const apiKey = header(call, 'OK-ACCESS-KEY');
  const sign = header(call, 'OK-ACCESS-SIGN');
  const timestamp = header(call, 'OK-ACCESS-TIMESTAMP');
  const passphrase = header(call, 'OK-ACCESS-PASSPHRASE');
  const missing = (name: string, code: string) =>
    fail(401, code, `Request header "${name}" can't be empty.`, apiKey || undefined);
  if (!apiKey) return { reply: missing('OK-ACCESS-KEY', '50103') };
  if (!sign) return { reply: missing('OK-ACCESS-SIGN', '50106') };
  if (!timestamp) return { reply: missing('OK-ACCESS-TIMESTAMP', '50107') };
  if (!passphrase) return { reply: missing('OK-ACCESS-PASSPHRASE', '50104') };

  const key = keys.get(keyId('okx', apiKey));
  if (!key) return { reply: fail(401, '50111', 'Invalid OK-ACCESS-KEY') };
  const reject = (code: string, msg: string) => ({ reply: fail(401, code, msg, apiKey) });
  // OKX deletes lapsed keys, so an expired key is one that no longer exists.
  if (isExpired(key, call.now)) return reject('50119', "API key doesn't exist");
  const requestTime = ISO_MS.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(requestTime)) return reject('50112', 'Invalid OK-ACCESS-TIMESTAMP');
  if (Math.abs(call.now - requestTime) > TIMESTAMP_WINDOW_MS)
    return reject('50102', 'Timestamp request expired');
  if (!sameText(passphrase, key.passphrase)) {
    return reject('50105', 'Request header "OK-ACCESS-PASSPHRASE" incorrect.');
  }
  const requestPath = call.path + (call.rawQuery ? `?${call.rawQuery}` : '');
  const expected = hmacSha256(
    key.apiSecret,
    timestamp + call.method + requestPath + call.rawBody,
    'base64',
  );
  if (!sameText(expected, sign)) return reject('50113', 'Invalid Sign');
  if (!ipAllowed(key, call.ip)) {
    return reject('50110', `Your IP ${call.ip} is not included in your API key's IP whitelist.`);
  }
  // OKX tells demo trading by the header alone; it has no testnet, so testnet keys count as demo.
  const demoRequest = header(call, 'x-simulated-trading') === '1';
  const demoKey = key.environment !== 'live';
  if (demoRequest !== demoKey) return reject('50101', 'APIKey does not match current environment.');
  // OKX documents no separate IP ban: both answer 50011.
  if (key.failWith === 'rate-limited' || key.failWith === 'ip-banned') {
    return {
      reply: fail(
        429,
        '50011',
        'Rate limit reached. Please refer to API documentation and throttle requests accordingly.',
        apiKey,
      ),
    };
  }
  if (key.failWith === 'permission-denied') {
    return reject('50120', "API key doesn't have permission");
  }
  return { key };
}

function instruments(_call: ExchangeCall, p: Record<string, unknown>): ExchangeReply {
  if (p.instType !== 'SPOT') return ok([]);
  return ok(
    SPOT_MARKETS.filter((m) => !p.instId || p.instId === `${m.base}-${m.quote}`).map((m) => ({
      alias: '',
      auctionEndTime: '',
      baseCcy: m.base,
      category: '1',
      ctMult: '',
      ctType: '',
      ctVal: '',
      ctValCcy: '',
      expTime: '',
      futureSettlement: false,
      instFamily: '',
      instId: `${m.base}-${m.quote}`,
      instType: 'SPOT',
      lever: '10',
      listTime: '1606468572000',
      lotSz: m.qtyStep,
      maxIcebergSz: '9999999999.0000000000000000',
      maxLmtAmt: '1000000',
      maxLmtSz: '9999999999',
      maxMktAmt: '1000000',
      maxMktSz: '',
      maxStopSz: '',
      maxTriggerSz: '9999999999.0000000000000000',
      maxTwapSz: '9999999999.0000000000000000',
      minSz: m.minQty,
      optType: '',
      quoteCcy: m.quote,
      ruleType: 'normal',
      settleCcy: '',
      state: 'live',
      stk: '',
      tickSz: m.tickSize,
      uly: '',
    })),
  );
}

function ticker(call: ExchangeCall, p: Record<string, unknown>): ExchangeReply {
  const m = findMarket(String(p.instId ?? ''), '-');
  if (!m)
    return fail(200, '51001', "Instrument ID, Instrument ID code, or Spread ID doesn't exist.");
  return ok([
    {
      instType: 'SPOT',
      instId: `${m.base}-${m.quote}`,
      last: m.last,
      lastSz: m.qtyStep,
      askPx: m.ask,
      askSz: m.askSize,
      bidPx: m.bid,
      bidSz: m.bidSize,
      open24h: m.open24h,
      high24h: m.high24h,
      low24h: m.low24h,
      volCcy24h: m.turnover24h,
      vol24h: m.volume24h,
      ts: String(call.now),
      sodUtc0: m.open24h,
      sodUtc8: m.open24h,
    },
  ]);
}

function currencies(): unknown[] {
  const chains: Record<string, [string, string, string]> = {
    BTC: ['BTC-Bitcoin', 'Bitcoin', '0.0002'],
    ETH: ['ETH-ERC20', 'Ethereum', '0.0012'],
    USDT: ['USDT-ERC20', 'Tether', '4'],
  };
  return BALANCES.map(({ coin }) => {
    const [chain, name, fee] = chains[coin] ?? ['ETH-ERC20', coin, '1'];
    return {
      canDep: true,
      canInternal: true,
      canWd: true,
      ccy: coin,
      chain,
      depQuotaFixed: '',
      depQuoteDailyLayer2: '',
      logoLink: '',
      mainNet: true,
      maxFee: fee,
      maxFeeForCtAddr: '',
      maxWd: '500000',
      minDep: '0.00005',
      minDepArrivalConfirm: '1',
      minFee: fee,
      minFeeForCtAddr: '',
      minWd: fee,
      minWdUnlockConfirm: '2',
      name,
      needTag: false,
      usedDepQuotaFixed: '',
      usedWdQuota: '0',
      wdQuota: '10000000',
      wdTickSz: '8',
      fee,
      burningFeeRate: '',
    };
  });
}

function accountConfig(_call: ExchangeCall, key: ResolvedKey): ExchangeReply {
  if (key.keyInfoBody !== undefined) {
    return { status: 200, body: key.keyInfoBody, apiKey: key.apiKey };
  }
  const perm = permOf(key);
  const bound = key.ips.filter((ip) => ip !== '*');
  return ok(
    [
      {
        acctLv: '2',
        acctStpMode: 'cancel_maker',
        autoLoan: false,
        ctIsoMode: 'automatic',
        enableSpotBorrow: false,
        greeksType: 'PA',
        ip: bound.join(','),
        type: '0',
        kycLv: '2',
        label: key.label,
        level: 'Lv1',
        levelTmp: '',
        liquidationGear: '-1',
        mainUid: OKX_MASTER_UID,
        mgnIsoMode: 'automatic',
        opAuth: '1',
        perm,
        posMode: 'net_mode',
        roleType: '0',
        spotBorrowAutoRepay: false,
        spotOffsetType: '',
        spotRoleType: '0',
        spotTraderInsts: [],
        traderInsts: [],
        uid: key.subAccount === null ? OKX_MASTER_UID : okxSubUid(key.subAccount),
        settleCcy: 'USDT',
        settleCcyList: ['USD', 'USDC', 'USDG'],
        feeType: '0',
        stgyType: '0',
      },
    ],
    key.apiKey,
  );
}

/**
 * The key's `nativePermissions` as an OKX `perm` string (`'read_only,trade'`), `undefined` when
 * unset. @throws {TypeError} for anything but a string.
 */
function nativePerm(key: ResolvedKey): string | undefined {
  const native = key.nativePermissions;
  if (native === undefined || typeof native === 'string') return native;
  throw new TypeError(
    "nativePermissions of an OKX sandbox key must be a perm string, e.g. 'read_only,trade'.",
  );
}

/** The key's `perm` string as OKX reports it: its native one, else derived from its flags. */
function permOf(key: ResolvedKey): string {
  return (
    nativePerm(key) ??
    ['read_only', ...(key.withdraw ? ['withdraw'] : []), ...(key.trade ? ['trade'] : [])].join(',')
  );
}

/**
 * What the key may do: with a native `perm`, the tokens OKX would honour (split on `,`, trimmed,
 * any case), else its permissions.
 */
function powers(key: ResolvedKey): { read: boolean; trade: boolean } {
  const perm = nativePerm(key);
  if (perm === undefined) return { read: key.read, trade: key.trade };
  const tokens = perm.split(',').map((token) => token.trim().toLowerCase());
  return { read: tokens.includes('read_only'), trade: tokens.includes('trade') };
}

function balance(call: ExchangeCall): unknown[] {
  const details = BALANCES.map((b) => ({
    availBal: b.free,
    availEq: b.free,
    borrowFroz: '',
    cashBal: b.free,
    ccy: b.coin,
    crossLiab: '',
    disEq: b.usd,
    eq: b.free,
    eqUsd: b.usd,
    fixedBal: '0',
    frozenBal: '0',
    imr: '',
    interest: '',
    isoEq: '0',
    isoLiab: '',
    isoUpl: '',
    liab: '',
    maxLoan: '',
    mgnRatio: '',
    mmr: '',
    notionalLever: '',
    ordFrozen: '0',
    rewardBal: '0',
    smtSyncEq: '0',
    spotBal: b.free,
    spotInUseAmt: '',
    spotIsoBal: '0',
    stgyEq: '0',
    twap: '0',
    uTime: String(call.now - 60_000),
    upl: '',
    uplLiab: '',
  }));
  return [
    {
      adjEq: '',
      availEq: '',
      borrowFroz: '',
      details,
      imr: '',
      isoEq: '0',
      mgnRatio: '',
      mmr: '',
      notionalUsd: '',
      ordFroz: '',
      totalEq: totalUsd(),
      uTime: String(call.now),
      upl: '',
    },
  ];
}

function renderOrder(order: SandboxOrder): Record<string, unknown> {
  const filled = order.status === 'filled';
  return {
    accFillSz: filled ? order.amount : '0',
    algoClOrdId: '',
    algoId: '',
    attachAlgoClOrdId: '',
    attachAlgoOrds: [],
    avgPx: filled ? order.price : '',
    cTime: String(order.createdAt),
    cancelSource: order.status === 'canceled' ? '1' : '',
    category: 'normal',
    ccy: '',
    clOrdId: order.clientId,
    fee: '0',
    feeCcy: order.side === 'buy' ? order.symbol.split('-')[0] : order.symbol.split('-')[1],
    fillPx: filled ? order.price : '',
    fillSz: filled ? order.amount : '0',
    fillTime: filled ? String(order.updatedAt) : '',
    instId: order.symbol,
    instType: 'SPOT',
    lever: '',
    ordId: order.id,
    ordType: order.type,
    pnl: '0',
    posSide: 'net',
    px: order.type === 'limit' ? order.price : '',
    rebate: '0',
    rebateCcy: order.symbol.split('-')[1],
    reduceOnly: 'false',
    side: order.side,
    source: '',
    state: { open: 'live', filled: 'filled', canceled: 'canceled' }[order.status],
    stpMode: 'cancel_maker',
    sz: order.amount,
    tag: '',
    tdMode: 'cash',
    tgtCcy: '',
    tradeId: '',
    uTime: String(order.updatedAt),
  };
}
