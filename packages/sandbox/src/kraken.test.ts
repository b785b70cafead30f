import { AuthenticationError, ExchangeError, InvalidNonce, PermissionDenied } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './index.js';
import { krakenSignature } from './signatures.js';
import { canaryKey, ccxtClient, type Json, rejection } from './test-ccxt-client.js';

const good = canaryKey('kraken', 'good');
const readOnly = canaryKey('kraken', 'readonly', { permissions: { trade: false } });
const walled = canaryKey('kraken', 'walled', { ips: ['203.0.113.7'] });
const local = canaryKey('kraken', 'local', { ips: ['127.0.0.1'] });
const expired = canaryKey('kraken', 'expired', { expiresAt: '2020-01-01T00:00:00Z' });
const withdraw = canaryKey('kraken', 'withdraw', { permissions: { withdraw: true } });
const native = canaryKey('kraken', 'native', { nativePermissions: ['query-funds'] });
const raw = canaryKey('kraken', 'raw', { keyInfoBody: { error: [], result: {} } });
const limited = canaryKey('kraken', 'limited', { failWith: 'rate-limited' });
const locked = canaryKey('kraken', 'locked', { failWith: 'ip-banned' });

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    keys: [good, readOnly, walled, local, expired, withdraw, native, raw, limited, locked],
  });
});
afterAll(() => sandbox.close());

// ccxt's Kraken nonce is the clock in ms: two requests of one key within a millisecond would
// repeat it, which Kraken refuses. The tests' clients share one increasing nonce instead; ccxt
// still signs every request itself.
let lastNonce = 0;
const nextNonce = () => {
  lastNonce = Math.max(Date.now(), lastNonce + 1);
  return lastNonce;
};
const client = (key: { apiKey: string; apiSecret: string }) => {
  const c = ccxtClient('kraken', sandbox.url, key);
  c.nonce = nextNonce;
  // ccxt spaces Kraken calls 1 to 3 s apart, as Kraken's limits ask; the sandbox has none.
  c.enableRateLimit = false;
  return c;
};

async function expectFailure(call: Promise<unknown>, errorClass: unknown, error: string) {
  const failure = await rejection(call);
  expect(failure.constructor).toBe(errorClass);
  expect(failure.message).toContain(`"error":["${error}"]`);
}

/** A private POST signed by hand, as Kraken's authentication guide describes. */
async function signedPost(path: string, data: Record<string, string>, sign = true) {
  const nonce = String(nextNonce());
  const body = new URLSearchParams({ nonce, ...data }).toString();
  const response = await fetch(sandbox.url + path, {
    method: 'POST',
    headers: {
      'API-Key': good.apiKey,
      'API-Sign': sign ? krakenSignature(good.apiSecret, path, nonce, body) : 'AAAA',
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body,
  });
  return (await response.json()) as Json;
}

describe('kraken signatures', () => {
  it('computes the API-Sign of the example in Kraken’s authentication guide', () => {
    // https://docs.kraken.com/guides/spot-rest-auth (the "Example" section).
    const secret =
      'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';
    const body = 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25';
    expect(krakenSignature(secret, '/0/private/AddOrder', '1616492376594', body)).toBe(
      '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==',
    );
  });
});

describe('kraken spot, checked against ccxt 4.5.84', () => {
  it('serves the public GETs ccxt loads markets and tickers from', async () => {
    const c = client(good);
    const markets = await c.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(markets['BTC/USDT']).toMatchObject({ id: 'XBTUSDT', base: 'BTC', quote: 'USDT' });
    const ticker = await c.fetchTicker('BTC/USDT');
    expect(ticker).toMatchObject({ symbol: 'BTC/USDT', last: 97250.5, bid: 97250.4 });
    await expect(c.publicGetTicker({ pair: 'NOPEUSD' })).rejects.toThrow(/Unknown asset pair/);
  });

  it('accepts ccxt-signed POSTs: key information, balance, order, open orders, cancel', async () => {
    const c = client(good);
    const info = (await c.privatePostGetApiKeyInfo()) as Json;
    expect(info.error).toEqual([]);
    expect(info.result).toMatchObject({
      permissions: ['query-funds', 'query-open-trades', 'modify-trades'],
      ipAllowlist: [],
      validUntil: '0',
    });
    const balance = await c.fetchBalance();
    expect(balance.total).toMatchObject({ USDT: 10000, BTC: 0.5, ETH: 2 });
    const order = await c.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 20000);
    expect(order.id).toMatch(/^O\d{5}-EXKEY-SANDBX$/);
    const open = await c.fetchOpenOrders('BTC/USDT');
    expect(open.map((o) => o.id)).toEqual([order.id]);
    await c.cancelOrder(String(order.id), 'BTC/USDT');
    expect(await c.fetchOpenOrders('BTC/USDT')).toEqual([]);
    await expect(c.cancelOrder(String(order.id), 'BTC/USDT')).rejects.toThrow(/Unknown order/);
  });

  it("refuses a limit order under the pair's ordermin or costmin, with Kraken's errors", async () => {
    const c = client(good);
    await c.loadMarkets();
    // BTC/USDT: ordermin 0.000048 BTC and costmin 5 USDT, as AssetPairs lists them.
    await expect(c.createOrder('BTC/USDT', 'limit', 'buy', 0.000001, 50_000)).rejects.toThrow(
      /EOrder:Order minimum not met/,
    );
    await expect(c.createOrder('BTC/USDT', 'limit', 'buy', 0.0001, 40_000)).rejects.toThrow(
      /EOrder:Cost minimum not met/,
    );
    const enough = await c.createOrder('BTC/USDT', 'limit', 'buy', 0.0002, 40_000);
    await c.cancelOrder(String(enough.id), 'BTC/USDT');
  });

  it('refuses a wrong private key, an unknown key and an expired key', async () => {
    const wrong = { ...good, apiSecret: Buffer.from('another private key').toString('base64') };
    await expectFailure(
      client(wrong).privatePostGetApiKeyInfo(),
      ExchangeError,
      'EAPI:Invalid signature',
    );
    await expectFailure(
      client({ ...good, apiKey: 'unknownKEY' }).privatePostBalance(),
      AuthenticationError,
      'EAPI:Invalid key',
    );
    await expectFailure(
      client(expired).privatePostGetApiKeyInfo(),
      AuthenticationError,
      'EAPI:Invalid key',
    );
  });

  it('refuses a nonce that is not greater than the last one of the key (InvalidNonce)', async () => {
    const c = client(good);
    await c.privatePostBalance();
    const stale = client(good);
    stale.nonce = () => lastNonce;
    await expectFailure(stale.privatePostBalance(), InvalidNonce, 'EAPI:Invalid nonce');
    const earlier = client(good);
    earlier.nonce = () => Date.now() - 3_600_000;
    await expectFailure(earlier.privatePostBalance(), InvalidNonce, 'EAPI:Invalid nonce');
    // Control: the next greater nonce is accepted, and a refused nonce did not count.
    await expect(client(good).privatePostBalance()).resolves.toMatchObject({ error: [] });
  });

  it('answers a request from outside the IP allowlist with EGeneral:Permission denied', async () => {
    await expectFailure(
      client(walled).privatePostGetApiKeyInfo(),
      PermissionDenied,
      'EGeneral:Permission denied',
    );
    const info = (await client(local).privatePostGetApiKeyInfo()) as Json;
    expect(info.result.ipAllowlist).toEqual(['127.0.0.1']);
  });

  it('reports withdraw-funds and refuses orders of a key without modify-trades', async () => {
    const info = (await client(withdraw).privatePostGetApiKeyInfo()) as Json;
    expect(info.result.permissions).toContain('withdraw-funds');
    const read = client(readOnly);
    expect(((await read.privatePostGetApiKeyInfo()) as Json).result.permissions).toEqual([
      'query-funds',
      'query-open-trades',
    ]);
    await expectFailure(
      read.privatePostAddOrder({
        pair: 'XBTUSDT',
        type: 'buy',
        ordertype: 'limit',
        volume: '0.001',
        price: '20000',
      }),
      PermissionDenied,
      'EGeneral:Permission denied',
    );
    await expect(read.privatePostBalance()).resolves.toMatchObject({ error: [] });
  });

  it('reports native permissions verbatim and lets the key do what they grant', async () => {
    const c = client(native);
    expect(((await c.privatePostGetApiKeyInfo()) as Json).result.permissions).toEqual([
      'query-funds',
    ]);
    await expect(c.privatePostBalance()).resolves.toMatchObject({ error: [] });
    await expect(c.privatePostCancelOrder({ txid: 'O00001-EXKEY-SANDBX' })).rejects.toBeInstanceOf(
      PermissionDenied,
    );
    await expect(
      startSandbox({ keys: [canaryKey('kraken', 'bad', { nativePermissions: 'query-funds' })] }),
    ).rejects.toThrow(/list of permission names/);
  });

  it('answers the key-information call with a raw body only after authentication', async () => {
    await expect(client(raw).privatePostGetApiKeyInfo()).resolves.toEqual({
      error: [],
      result: {},
    });
    const forged = { ...raw, apiSecret: Buffer.from('forged').toString('base64') };
    await expectFailure(
      client(forged).privatePostGetApiKeyInfo(),
      ExchangeError,
      'EAPI:Invalid signature',
    );
  });

  it('answers failWith keys with Kraken’s rate-limit and lockout errors (DDoSProtection)', async () => {
    const limit = await rejection(client(limited).privatePostGetApiKeyInfo());
    expect(limit.message).toContain('EAPI:Rate limit exceeded');
    const lockout = await rejection(client(locked).privatePostGetApiKeyInfo());
    expect(lockout.message).toContain('EGeneral:Temporary lockout');
    expect(sandbox.requests.at(-1)).toMatchObject({
      exchange: 'kraken',
      ok: false,
      errorCode: 'EGeneral:Temporary lockout',
    });
  });
});

describe('kraken raw protocol', () => {
  it('signs the path and the form body; a wrong signature is refused', async () => {
    expect(await signedPost('/0/private/Balance', {})).toMatchObject({ error: [] });
    expect(await signedPost('/0/private/Balance', {}, false)).toEqual({
      error: ['EAPI:Invalid signature'],
    });
  });

  it('covers every form field: the signature of one body does not sign another', async () => {
    const nonce = String(nextNonce());
    const signed = new URLSearchParams({ nonce, pair: 'XBTUSDT' }).toString();
    const response = await fetch(`${sandbox.url}/0/private/OpenOrders`, {
      method: 'POST',
      headers: {
        'API-Key': good.apiKey,
        'API-Sign': krakenSignature(good.apiSecret, '/0/private/OpenOrders', nonce, signed),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: `${signed}&trades=true`,
    });
    expect(await response.json()).toEqual({ error: ['EAPI:Invalid signature'] });
  });

  it('answers a request without a key or nonce with Kraken’s errors', async () => {
    const bare = await fetch(`${sandbox.url}/0/private/Balance`, { method: 'POST' });
    expect(await bare.json()).toEqual({ error: ['EAPI:Invalid key'] });
    const noNonce = await fetch(`${sandbox.url}/0/private/Balance`, {
      method: 'POST',
      headers: { 'API-Key': good.apiKey, 'API-Sign': 'AAAA' },
    });
    expect(await noNonce.json()).toEqual({ error: ['EAPI:Invalid nonce'] });
  });
});
