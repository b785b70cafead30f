import { createHmac, generateKeyPairSync } from 'node:crypto';
import { AuthenticationError, InvalidNonce, PermissionDenied, RateLimitExceeded } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './index.js';
import { canaryKey, ccxtClient, type Json, rejection } from './test-ccxt-client.js';

const good = canaryKey('bybit', 'good');
const readOnly = canaryKey('bybit', 'readonly', { permissions: { trade: false } });
const walled = canaryKey('bybit', 'walled', { ips: ['203.0.113.7'] });
const local = canaryKey('bybit', 'local', { ips: ['127.0.0.1'] });
const expired = canaryKey('bybit', 'expired', { expiresAt: '2020-01-01T00:00:00Z' });
const withdraw = canaryKey('bybit', 'withdraw', {
  permissions: { withdraw: true },
  expiresAt: '2099-01-01T00:00:00Z',
});
const rsa = {
  ...canaryKey('bybit', 'rsa'),
  apiSecret: generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString(),
};

const ORDER = {
  category: 'spot',
  symbol: 'BTCUSDT',
  side: 'Buy',
  orderType: 'Limit',
  qty: '0.001',
  price: '10000',
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ keys: [good, readOnly, walled, local, expired, withdraw, rsa] });
});
afterAll(() => sandbox.close());

const client = (key: { apiKey: string; apiSecret: string }) =>
  ccxtClient('bybit', sandbox.url, key);

async function expectFailure(call: Promise<unknown>, errorClass: unknown, retCode: number) {
  const error = await rejection(call);
  expect(error.constructor).toBe(errorClass);
  expect(error.message).toContain(`"retCode":${retCode}`);
}

/** A request signed by hand the way Bybit's docs describe, independent of ccxt and the sandbox. */
async function signedFetch(options: {
  method: 'GET' | 'POST';
  path: string;
  query?: string;
  body?: string;
  timestamp?: number;
  recvWindow?: string;
  signedPayload?: string;
}) {
  const timestamp = String(options.timestamp ?? Date.now());
  // `''` sends no X-BAPI-RECV-WINDOW header at all.
  const recvWindow = options.recvWindow ?? '5000';
  const payload =
    options.signedPayload ??
    (options.method === 'GET' ? (options.query ?? '') : (options.body ?? ''));
  const sign = createHmac('sha256', good.apiSecret)
    .update(timestamp + good.apiKey + recvWindow + payload)
    .digest('hex');
  const response = await fetch(
    `${sandbox.url}${options.path}${options.query ? `?${options.query}` : ''}`,
    {
      method: options.method,
      headers: {
        'X-BAPI-API-KEY': good.apiKey,
        'X-BAPI-TIMESTAMP': timestamp,
        ...(recvWindow === '' ? {} : { 'X-BAPI-RECV-WINDOW': recvWindow }),
        'X-BAPI-SIGN': sign,
        'Content-Type': 'application/json',
      },
      ...(options.body === undefined ? {} : { body: options.body }),
    },
  );
  return {
    status: response.status,
    body: (await response.json()) as { retCode: number; result: Json },
  };
}

describe('bybit v5 signatures, checked against ccxt 4.5.84', () => {
  it('accepts ccxt-signed GET and POST requests from the right key', async () => {
    const info = (await client(good).privateGetV5UserQueryApi()) as {
      retCode: string;
      result: Json;
    };
    expect(info.result.apiKey).toBe(good.apiKey);
    const order = (await client(good).privatePostV5OrderCreate(ORDER)) as {
      result: { orderId: string };
    };
    expect(order.result.orderId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a wrong secret with 10004 on GET and POST (AuthenticationError)', async () => {
    const wrong = { ...good, apiSecret: `${good.apiSecret}x` };
    await expectFailure(client(wrong).privateGetV5UserQueryApi(), AuthenticationError, 10004);
    await expectFailure(client(wrong).privatePostV5OrderCreate(ORDER), AuthenticationError, 10004);
  });

  it('answers an unknown key with 10003 (AuthenticationError)', async () => {
    await expectFailure(
      client({ ...good, apiKey: 'unknownKEY123' }).privateGetV5UserQueryApi(),
      AuthenticationError,
      10003,
    );
  });

  it('answers a stale or early timestamp with 10002 (InvalidNonce)', async () => {
    const stale = client(good);
    stale.nonce = () => Date.now() - 6000; // ccxt's recvWindow is 5000
    await expectFailure(stale.privateGetV5UserQueryApi(), InvalidNonce, 10002);
    const early = client(good);
    early.nonce = () => Date.now() + 3000;
    await expectFailure(early.privateGetV5UserQueryApi(), InvalidNonce, 10002);
  });

  it('honours the recv window the client sends', async () => {
    const patient = client(good);
    patient.options.recvWindow = 20_000;
    patient.nonce = () => Date.now() - 10_000;
    await expect(patient.privateGetV5UserQueryApi()).resolves.toMatchObject({ retCode: 0 });
  });

  it('answers a request from outside the IP whitelist with 10010 (PermissionDenied)', async () => {
    await expectFailure(client(walled).privateGetV5UserQueryApi(), PermissionDenied, 10010);
    await expect(client(local).privateGetV5UserQueryApi()).resolves.toMatchObject({ retCode: 0 });
  });

  it('answers an expired key with 33004 (AuthenticationError)', async () => {
    await expectFailure(client(expired).privateGetV5UserQueryApi(), AuthenticationError, 33004);
  });

  it('lets a read-only key read but answers its orders with 10005 (PermissionDenied)', async () => {
    const info = (await client(readOnly).privateGetV5UserQueryApi()) as { result: Json };
    expect(info.result.readOnly).toBe(1);
    expect(info.result.permissions.Spot).toEqual([]);
    await expectFailure(client(readOnly).privatePostV5OrderCreate(ORDER), PermissionDenied, 10005);
  });

  it('verifies RSA keys (base64 SHA256withRSA) as ccxt signs with them', async () => {
    await expect(client(rsa).privateGetV5UserQueryApi()).resolves.toMatchObject({ retCode: 0 });
    await expect(client(rsa).privatePostV5OrderCreate(ORDER)).resolves.toMatchObject({
      retCode: 0,
    });
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    await expectFailure(
      client({ ...rsa, apiSecret: otherKey.toString() }).privateGetV5UserQueryApi(),
      AuthenticationError,
      10004,
    );
  });
});

describe('bybit v5 raw protocol', () => {
  it('keeps the window server_time - recv_window <= timestamp < server_time + 1000', async () => {
    const path = '/v5/user/query-api';
    expect(
      (await signedFetch({ method: 'GET', path, timestamp: Date.now() - 2000 })).body.retCode,
    ).toBe(0);
    expect(
      (await signedFetch({ method: 'GET', path, timestamp: Date.now() - 7000 })).body.retCode,
    ).toBe(10002);
    expect(
      (await signedFetch({ method: 'GET', path, timestamp: Date.now() + 1500 })).body.retCode,
    ).toBe(10002);
    const wide = await signedFetch({
      method: 'GET',
      path,
      timestamp: Date.now() - 7000,
      recvWindow: '10000',
    });
    expect(wide.body.retCode).toBe(0);
  });

  it('without X-BAPI-RECV-WINDOW, leaves it out of the signed text and applies 5000 ms', async () => {
    const path = '/v5/user/query-api';
    const unsent = await signedFetch({ method: 'GET', path, recvWindow: '' });
    expect(unsent.body.retCode).toBe(0);
    const stale = await signedFetch({
      method: 'GET',
      path,
      recvWindow: '',
      timestamp: Date.now() - 6000,
    });
    expect(stale.body.retCode).toBe(10002);
  });

  it('signs the exact query string on GET and the raw JSON body on POST, errors with HTTP 200', async () => {
    const query = 'category=spot&symbol=BTCUSDT';
    const realtime = await signedFetch({ method: 'GET', path: '/v5/order/realtime', query });
    expect(realtime.body.retCode).toBe(0);
    const reordered = await signedFetch({
      method: 'GET',
      path: '/v5/order/realtime',
      query,
      signedPayload: 'symbol=BTCUSDT&category=spot',
    });
    expect(reordered).toEqual({ status: 200, body: expect.objectContaining({ retCode: 10004 }) });
    const body = JSON.stringify(ORDER);
    expect(
      (await signedFetch({ method: 'POST', path: '/v5/order/create', body })).body.retCode,
    ).toBe(0);
    const spaced = await signedFetch({
      method: 'POST',
      path: '/v5/order/create',
      body,
      signedPayload: JSON.stringify(ORDER, null, 1),
    });
    expect(spaced.body.retCode).toBe(10004);
    // Bybit's answer shows the signed parameters, never the key or the signature.
    expect(spaced.body).toMatchObject({
      retMsg: `Error sign, please check your signature generation algorithm: origin_string[***${body}]`,
    });
    expect(sandbox.requests.at(-1)).toMatchObject({
      exchange: 'bybit',
      errorCode: '10004',
      ok: false,
    });
  });

  it('describes each key in /v5/user/query-api as Bybit does', async () => {
    const info = async (key: typeof good) =>
      ((await client(key).privateGetV5UserQueryApi()) as { result: Json }).result;
    const trade = await info(good);
    // A key that never expires looks like Bybit's documented IP-bound key: -2 days, the epoch.
    expect(trade).toMatchObject({
      readOnly: 0,
      ips: ['*'],
      deadlineDay: -2,
      expiredAt: '1970-01-01T00:00:00Z',
      secret: '',
    });
    expect(trade.permissions.Spot).toEqual(['SpotTrade']);
    expect(trade.permissions.Wallet).toEqual([]);
    expect(await info(readOnly)).toMatchObject({
      readOnly: 1,
      permissions: { Spot: [], Exchange: [], Wallet: [] },
    });
    const withdrawing = await info(withdraw);
    expect(withdrawing.permissions.Wallet).toEqual(['Withdraw']);
    expect(withdrawing.expiredAt).toBe('2099-01-01T00:00:00Z');
    expect(withdrawing.deadlineDay).toBeGreaterThan(0);
    expect((await info(local)).ips).toEqual(['127.0.0.1']);
  });
});

describe('bybit keys with native permissions, raw bodies, failures and environments', () => {
  const p2p = canaryKey('bybit', 'p2p', {
    nativePermissions: { Spot: [], FiatP2P: ['FiatP2POrder', 'Advertising'] },
  });
  const spot = canaryKey('bybit', 'spot', {
    nativePermissions: { Spot: ['SpotTrade'], Wallet: ['AccountTransfer'] },
  });
  const raw = canaryKey('bybit', 'raw', { keyInfoBody: { retCode: 0, result: { odd: true } } });
  const limited = canaryKey('bybit', 'limited', { failWith: 'rate-limited' });
  const denied = canaryKey('bybit', 'denied', { failWith: 'permission-denied' });
  const testnetKey = canaryKey('bybit', 'testnet', { environment: 'testnet' });
  const demoKey = canaryKey('bybit', 'demo', { environment: 'demo' });
  let native: Sandbox;
  let demo: Sandbox;
  beforeAll(async () => {
    const keys = [p2p, spot, raw, limited, denied, testnetKey, demoKey];
    native = await startSandbox({ keys });
    demo = await startSandbox({ keys, environment: 'demo' });
  });
  afterAll(async () => {
    await native.close();
    await demo.close();
  });

  it('reports native permissions as given, and lets them decide whether the key may trade', async () => {
    const p2pInfo = (await ccxtClient('bybit', native.url, p2p).privateGetV5UserQueryApi()) as {
      result: Json;
    };
    expect(p2pInfo.result).toMatchObject({
      readOnly: 1,
      permissions: { Spot: [], FiatP2P: ['FiatP2POrder', 'Advertising'] },
    });
    expect(Object.keys(p2pInfo.result.permissions)).toEqual(['Spot', 'FiatP2P']);
    await expectFailure(
      ccxtClient('bybit', native.url, p2p).privatePostV5OrderCreate(ORDER),
      PermissionDenied,
      10005,
    );
    const trader = ccxtClient('bybit', native.url, spot);
    expect(((await trader.privateGetV5UserQueryApi()) as { result: Json }).result.readOnly).toBe(0);
    await expect(trader.privatePostV5OrderCreate(ORDER)).resolves.toMatchObject({ retCode: 0 });
  });

  it('answers query-api with the raw keyInfoBody, after authenticating', async () => {
    const answer = await ccxtClient('bybit', native.url, raw).privateGetV5UserQueryApi();
    expect(answer).toEqual({ retCode: 0, result: { odd: true } });
    await expectFailure(
      ccxtClient('bybit', native.url, { ...raw, apiSecret: 'wrong' }).privateGetV5UserQueryApi(),
      AuthenticationError,
      10004,
    );
  });

  it('answers a rate-limited key with HTTP 200, 10006 and the X-Bapi-Limit headers', async () => {
    const before = Date.now();
    const error = await rejection(
      ccxtClient('bybit', native.url, limited).privateGetV5UserQueryApi(),
    );
    expect(error.constructor).toBe(RateLimitExceeded);
    expect(error.message).toContain('"retCode":10006');
    const response = await fetch(`${native.url}/v5/user/query-api`, {
      headers: { 'X-BAPI-API-KEY': limited.apiKey },
    });
    // Unsigned: the limit applies to signed requests only, after authentication.
    expect(((await response.json()) as { retCode: number }).retCode).toBe(10002);
    const client = ccxtClient('bybit', native.url, limited);
    await rejection(client.privateGetV5UserQueryApi());
    const headers = client.last_response_headers as Record<string, string>;
    expect(headers['X-Bapi-Limit-Status'] ?? headers['x-bapi-limit-status']).toBe('0');
    const reset = Number(
      headers['X-Bapi-Limit-Reset-Timestamp'] ?? headers['x-bapi-limit-reset-timestamp'],
    );
    expect(reset).toBeGreaterThan(before);
    expect(reset).toBeLessThan(Date.now() + 5000);
  });

  it('answers a permission-denied key with 10005', async () => {
    await expectFailure(
      ccxtClient('bybit', native.url, denied).privateGetV5UserQueryApi(),
      PermissionDenied,
      10005,
    );
  });

  it('answers a key of another environment with 10003, and demo query-api with 10032', async () => {
    for (const key of [testnetKey, demoKey]) {
      await expectFailure(
        ccxtClient('bybit', native.url, key).privateGetV5UserQueryApi(),
        AuthenticationError,
        10003,
      );
    }
    await expectFailure(
      ccxtClient('bybit', demo.url, p2p).privateGetV5UserQueryApi(),
      AuthenticationError,
      10003,
    );
    const onDemo = ccxtClient('bybit', demo.url, demoKey);
    const unsupported = await rejection(onDemo.privateGetV5UserQueryApi());
    expect(unsupported.message).toContain('"retCode":10032');
    expect(unsupported.message).toContain('Demo trading are not supported.');
    await expect(onDemo.privateGetV5AccountInfo()).resolves.toMatchObject({ retCode: 0 });
  });
});
