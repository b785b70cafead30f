import { createHmac } from 'node:crypto';
import { AuthenticationError, ExchangeError, InvalidNonce } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './index.js';
import { canaryKey, ccxtClient, type Json, rejection } from './test-ccxt-client.js';

// Signing and error codes: https://www.kucoin.com/docs-new/authentication and
// https://www.kucoin.com/docs-new/error-code (gateway errors 400001-400007, 429000).
const good = canaryKey('kucoin', 'good');
const readOnly = canaryKey('kucoin', 'readonly', { permissions: { trade: false } });
const walled = canaryKey('kucoin', 'walled', { ips: ['203.0.113.7', '203.0.113.8'] });
const local = canaryKey('kucoin', 'local', { ips: ['127.0.0.1'] });
const expired = canaryKey('kucoin', 'expired', { expiresAt: '2020-01-01T00:00:00Z' });
const withdraw = canaryKey('kucoin', 'withdraw', { permissions: { withdraw: true } });
const testnetKey = canaryKey('kucoin', 'testnet', { environment: 'testnet' });
const nativeRead = canaryKey('kucoin', 'nativeread', { nativePermissions: 'General' });
const raw = canaryKey('kucoin', 'raw', { keyInfoBody: { code: '200000', data: {} } });
const limited = canaryKey('kucoin', 'limited', { failWith: 'rate-limited' });
const denied = canaryKey('kucoin', 'denied', { failWith: 'permission-denied' });

const ORDER = {
  clientOid: 'exkeys-test-1',
  symbol: 'BTC-USDT',
  side: 'buy',
  type: 'limit',
  size: '0.001',
  price: '10000',
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    keys: [
      good,
      readOnly,
      walled,
      local,
      expired,
      withdraw,
      testnetKey,
      nativeRead,
      raw,
      limited,
      denied,
    ],
  });
});
afterAll(() => sandbox.close());

const client = (key: { apiKey: string; apiSecret: string; passphrase?: string | undefined }) =>
  ccxtClient('kucoin', sandbox.url, key);

async function expectFailure(call: Promise<unknown>, errorClass: unknown, code: string) {
  const error = await rejection(call);
  expect(error.constructor).toBe(errorClass);
  expect(error.message).toContain(`"code":"${code}"`);
}

const hmac = (secret: string, payload: string) =>
  createHmac('sha256', secret).update(payload).digest('base64');

/** Signs `timestamp + METHOD + endpoint + body` by hand, as KuCoin's authentication page says. */
async function signedFetch(options: {
  method: string;
  endpoint: string;
  body?: string;
  time?: number;
  signed?: string;
  passphrase?: string;
  version?: string;
}) {
  const timestamp = String(options.time ?? Date.now());
  const sign = hmac(
    good.apiSecret,
    timestamp + options.method + (options.signed ?? options.endpoint) + (options.body ?? ''),
  );
  const response = await fetch(sandbox.url + options.endpoint, {
    method: options.method,
    headers: {
      'KC-API-KEY': good.apiKey,
      'KC-API-SIGN': sign,
      'KC-API-TIMESTAMP': timestamp,
      'KC-API-PASSPHRASE': options.passphrase ?? hmac(good.apiSecret, good.passphrase ?? ''),
      'KC-API-KEY-VERSION': options.version ?? '2',
      'Content-Type': 'application/json',
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

describe('kucoin signatures, checked against ccxt 4.5.84', () => {
  it('accepts ccxt-signed GET, POST and DELETE requests from the right key and passphrase', async () => {
    const info = (await client(good).privateGetUserApiKey()) as Json;
    expect(info).toMatchObject({
      code: '200000',
      data: { apiKey: good.apiKey, apiVersion: 3, permission: 'General,Spot', ipWhitelist: '' },
    });
    const placed = (await client(good).privatePostOrders(ORDER)) as Json;
    expect(placed.code).toBe('200000');
    expect(placed.data.orderId).toMatch(/^[0-9a-f]{24}$/);
    const canceled = (await client(good).privateDeleteOrdersOrderId({
      orderId: placed.data.orderId,
    })) as Json;
    expect(canceled).toEqual({
      code: '200000',
      data: { cancelledOrderIds: [placed.data.orderId] },
    });
  });

  it('answers a wrong secret with 400005 on GET and POST (AuthenticationError)', async () => {
    // A wrong secret also signs the passphrase wrongly: keep that one right to reach the signature.
    const wrong = { ...good, apiSecret: `${good.apiSecret}x` };
    const c = client(wrong);
    const sign = c.sign.bind(c);
    c.sign = (...args: Parameters<typeof c.sign>) => {
      const signed = sign(...args);
      signed.headers['KC-API-PASSPHRASE'] = hmac(good.apiSecret, good.passphrase ?? '');
      return signed;
    };
    await expectFailure(c.privateGetUserApiKey(), AuthenticationError, '400005');
    await expectFailure(c.privatePostOrders(ORDER), AuthenticationError, '400005');
    // Without the fix-up, the wrongly signed passphrase is refused first.
    await expectFailure(client(wrong).privateGetUserApiKey(), AuthenticationError, '400004');
  });

  it('answers an unknown key with 400003 and a wrong passphrase with 400004', async () => {
    await expectFailure(
      client({ ...good, apiKey: 'a'.repeat(24) }).privateGetUserApiKey(),
      AuthenticationError,
      '400003',
    );
    await expectFailure(
      client({ ...good, passphrase: 'wrong-passphrase' }).privateGetUserApiKey(),
      AuthenticationError,
      '400004',
    );
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 401, errorCode: '400004' });
  });

  it('answers a timestamp more than 5 s off with 400002 (InvalidNonce)', async () => {
    const stale = client(good);
    stale.nonce = () => Date.now() - 8000;
    await expectFailure(stale.privateGetUserApiKey(), InvalidNonce, '400002');
    const early = client(good);
    early.nonce = () => Date.now() + 8000;
    await expectFailure(early.privateGetUserApiKey(), InvalidNonce, '400002');
    const skewed = client(good);
    skewed.nonce = () => Date.now() - 2000;
    await expect(skewed.privateGetUserApiKey()).resolves.toMatchObject({ code: '200000' });
  });

  it('answers a request from outside the IP whitelist with 400006, and masks listed IPs', async () => {
    await expectFailure(client(walled).privateGetUserApiKey(), AuthenticationError, '400006');
    const info = (await client(local).privateGetUserApiKey()) as Json;
    expect(info.data.ipWhitelist).toBe('127.**.1');
  });

  it('answers expired and other-environment keys with 400003, a read-only order with 400007', async () => {
    await expectFailure(client(expired).privateGetUserApiKey(), AuthenticationError, '400003');
    await expectFailure(client(testnetKey).privateGetUserApiKey(), AuthenticationError, '400003');
    const info = (await client(readOnly).privateGetUserApiKey()) as Json;
    expect(info.data.permission).toBe('General');
    await expectFailure(client(readOnly).privatePostOrders(ORDER), AuthenticationError, '400007');
  });

  it('reports Withdrawal, and a native permission string verbatim', async () => {
    const info = (await client(withdraw).privateGetUserApiKey()) as Json;
    expect(info.data.permission).toBe('General,Spot,Withdrawal');
    const native = (await client(nativeRead).privateGetUserApiKey()) as Json;
    expect(native.data.permission).toBe('General');
    await expect(client(nativeRead).privateGetAccounts()).resolves.toMatchObject({
      code: '200000',
    });
    await expectFailure(client(nativeRead).privatePostOrders(ORDER), AuthenticationError, '400007');
  });

  it('answers the key-information call with a raw body, after authentication', async () => {
    await expect(client(raw).privateGetUserApiKey()).resolves.toEqual({
      code: '200000',
      data: {},
    });
    const forged = { ...raw, passphrase: 'not-the-passphrase' };
    await expectFailure(client(forged).privateGetUserApiKey(), AuthenticationError, '400004');
  });

  it('answers failWith keys with 429000 (HTTP 429, gw-ratelimit-reset) and 400007', async () => {
    // ccxt 4.5.84 has no entry for 429000: a bare ExchangeError, which the audit's table maps.
    await expectFailure(client(limited).privateGetUserApiKey(), ExchangeError, '429000');
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 429, errorCode: '429000' });
    await expectFailure(client(denied).privateGetUserApiKey(), AuthenticationError, '400007');
    await expect(client(good).privateGetUserApiKey()).resolves.toMatchObject({ code: '200000' });
  });

  it('serves the markets, balance, ticker and order calls the example bot makes', async () => {
    const c = client(good);
    await c.loadMarkets();
    expect(c.market('BTC/USDT').id).toBe('BTC-USDT');
    const balance = await c.fetchBalance();
    expect(balance.USDT?.free).toBe(10000);
    const ticker = await c.fetchTicker('BTC/USDT');
    expect(ticker.last).toBe(97250.5);
    const order = await c.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 10000);
    const fetched = await c.fetchOrder(order.id!, 'BTC/USDT');
    expect(fetched.status).toBe('open');
    await c.cancelOrder(order.id!, 'BTC/USDT');
    expect((await c.fetchOrder(order.id!, 'BTC/USDT')).status).toBe('canceled');
  });

  it('refuses native permissions that are not a permission string', async () => {
    await expect(
      startSandbox({ keys: [canaryKey('kucoin', 'bad', { nativePermissions: { Spot: ['x'] } })] }),
    ).rejects.toThrow(/permission string/);
  });
});

describe('kucoin raw protocol', () => {
  it('signs the endpoint with its query string', async () => {
    const endpoint = '/api/v1/accounts?type=trade';
    expect((await signedFetch({ method: 'GET', endpoint })).body.code).toBe('200000');
    const pathOnly = await signedFetch({ method: 'GET', endpoint, signed: '/api/v1/accounts' });
    expect(pathOnly).toEqual({
      status: 401,
      body: { code: '400005', msg: 'Invalid KC-API-SIGN' },
    });
  });

  it('signs the raw JSON body of a POST', async () => {
    const body = JSON.stringify(ORDER);
    const placed = await signedFetch({ method: 'POST', endpoint: '/api/v1/orders', body });
    expect(placed.body.code).toBe('200000');
    const unsignedBody = await signedFetch({
      method: 'POST',
      endpoint: '/api/v1/orders',
      body,
      signed: '/api/v1/orders{}',
    });
    expect(unsignedBody.body.code).toBe('400005');
  });

  it('takes a v2 passphrase signed with the secret, and a v1 passphrase in clear', async () => {
    const endpoint = '/api/v1/user/api-key';
    expect((await signedFetch({ method: 'GET', endpoint })).status).toBe(200);
    // A v2 request carrying the clear passphrase is refused, and so is a v1 request with the HMAC.
    const clear = await signedFetch({ method: 'GET', endpoint, passphrase: good.passphrase });
    expect(clear.body.code).toBe('400004');
    const v1 = await signedFetch({
      method: 'GET',
      endpoint,
      version: '1',
      passphrase: good.passphrase,
    });
    expect(v1.status).toBe(200);
    const v1Hmac = await signedFetch({ method: 'GET', endpoint, version: '1' });
    expect(v1Hmac.body.code).toBe('400004');
  });

  it('keeps a ±5 s timestamp window', async () => {
    const endpoint = '/api/v1/user/api-key';
    expect((await signedFetch({ method: 'GET', endpoint, time: Date.now() + 3000 })).status).toBe(
      200,
    );
    for (const offset of [7000, -7000]) {
      const late = await signedFetch({ method: 'GET', endpoint, time: Date.now() + offset });
      expect(late).toEqual({
        status: 401,
        body: { code: '400002', msg: 'Invalid KC-API-TIMESTAMP' },
      });
    }
  });

  it('answers a request without the signing headers with 400001', async () => {
    const response = await fetch(`${sandbox.url}/api/v1/user/api-key`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as Json).code).toBe('400001');
  });

  it('routes only its own /api/v3/ paths, leaving the rest to Binance', async () => {
    const currencies = await fetch(`${sandbox.url}/api/v3/currencies`);
    expect(((await currencies.json()) as Json).code).toBe('200000');
    const exchangeInfo = await fetch(`${sandbox.url}/api/v3/exchangeInfo`);
    expect(((await exchangeInfo.json()) as Json).symbols).toBeDefined();
  });
});
