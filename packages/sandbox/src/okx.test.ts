import { createHmac } from 'node:crypto';
import { AuthenticationError, ExchangeError, InvalidNonce, PermissionDenied } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './index.js';
import { canaryKey, ccxtClient, type Json, rejection } from './test-ccxt-client.js';

const good = canaryKey('okx', 'good');
const readOnly = canaryKey('okx', 'readonly', { permissions: { trade: false } });
const walled = canaryKey('okx', 'walled', { ips: ['203.0.113.7', '203.0.113.8'] });
const local = canaryKey('okx', 'local', { ips: ['127.0.0.1'] });
const expired = canaryKey('okx', 'expired', { expiresAt: '2020-01-01T00:00:00Z' });
const withdraw = canaryKey('okx', 'withdraw', { permissions: { withdraw: true } });
const demoKey = canaryKey('okx', 'demo', { environment: 'demo' });
const nativeRead = canaryKey('okx', 'nativeread', { nativePermissions: 'Read_Only' });
const nativeOdd = canaryKey('okx', 'nativeodd', { nativePermissions: 'read_only;trade' });
const raw = canaryKey('okx', 'raw', { keyInfoBody: { code: '0', msg: '', data: [{}] } });
const limited = canaryKey('okx', 'limited', { failWith: 'rate-limited' });
const denied = canaryKey('okx', 'denied', { failWith: 'permission-denied' });

const ORDER = {
  instId: 'BTC-USDT',
  tdMode: 'cash',
  side: 'buy',
  ordType: 'limit',
  sz: '0.001',
  px: '10000',
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
      demoKey,
      nativeRead,
      nativeOdd,
      raw,
      limited,
      denied,
    ],
  });
});
afterAll(() => sandbox.close());

const client = (key: { apiKey: string; apiSecret: string; passphrase?: string | undefined }) =>
  ccxtClient('okx', sandbox.url, key);

async function expectFailure(call: Promise<unknown>, errorClass: unknown, code: string) {
  const error = await rejection(call);
  expect(error.constructor).toBe(errorClass);
  expect(error.message).toContain(`"code":"${code}"`);
}

/** Signs `timestamp + METHOD + requestPath + body` by hand, as OKX's docs describe. */
async function signedFetch(options: {
  method: string;
  requestPath: string;
  body?: string;
  time?: number;
  signedPath?: string;
}) {
  const timestamp = new Date(options.time ?? Date.now()).toISOString();
  const sign = createHmac('sha256', good.apiSecret)
    .update(
      timestamp +
        options.method +
        (options.signedPath ?? options.requestPath) +
        (options.body ?? ''),
    )
    .digest('base64');
  const response = await fetch(sandbox.url + options.requestPath, {
    method: options.method,
    headers: {
      'OK-ACCESS-KEY': good.apiKey,
      'OK-ACCESS-SIGN': sign,
      'OK-ACCESS-TIMESTAMP': timestamp,
      'OK-ACCESS-PASSPHRASE': good.passphrase!,
      'Content-Type': 'application/json',
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

describe('okx v5 signatures, checked against ccxt 4.5.84', () => {
  it('accepts ccxt-signed GET and POST requests from the right key and passphrase', async () => {
    const config = (await client(good).privateGetAccountConfig()) as Json;
    expect(config.data[0]).toMatchObject({ perm: 'read_only,trade', ip: '' });
    const placed = (await client(good).privatePostTradeOrder(ORDER)) as Json;
    expect(placed).toMatchObject({ code: '0', data: [{ sCode: '0' }] });
    const canceled = (await client(good).privatePostTradeCancelOrder({
      instId: 'BTC-USDT',
      ordId: placed.data[0].ordId,
    })) as Json;
    expect(canceled).toMatchObject({
      code: '0',
      data: [{ ordId: placed.data[0].ordId, sCode: '0' }],
    });
  });

  it('answers a wrong secret with 50113 on GET and POST (AuthenticationError)', async () => {
    const wrong = { ...good, apiSecret: `${good.apiSecret}x` };
    await expectFailure(client(wrong).privateGetAccountConfig(), AuthenticationError, '50113');
    await expectFailure(client(wrong).privatePostTradeOrder(ORDER), AuthenticationError, '50113');
  });

  it('answers an unknown key with 50111 and a wrong passphrase with 50105 (AuthenticationError)', async () => {
    await expectFailure(
      client({ ...good, apiKey: 'unknownKEY123' }).privateGetAccountConfig(),
      AuthenticationError,
      '50111',
    );
    await expectFailure(
      client({ ...good, passphrase: 'wrong-passphrase' }).privateGetAccountConfig(),
      AuthenticationError,
      '50105',
    );
  });

  it('answers a timestamp more than 30 s off with 50102 (InvalidNonce)', async () => {
    const stale = client(good);
    stale.nonce = () => Date.now() - 40_000;
    await expectFailure(stale.privateGetAccountConfig(), InvalidNonce, '50102');
    const early = client(good);
    early.nonce = () => Date.now() + 40_000;
    await expectFailure(early.privateGetAccountConfig(), InvalidNonce, '50102');
    const skewed = client(good);
    skewed.nonce = () => Date.now() - 20_000;
    await expect(skewed.privateGetAccountConfig()).resolves.toMatchObject({ code: '0' });
  });

  it('answers a request from outside the IP whitelist with 50110 (PermissionDenied)', async () => {
    await expectFailure(client(walled).privateGetAccountConfig(), PermissionDenied, '50110');
    const config = (await client(local).privateGetAccountConfig()) as Json;
    expect(config.data[0].ip).toBe('127.0.0.1');
  });

  it('answers an expired key with 50119 and a read-only order with 50120 (ccxt maps neither)', async () => {
    await expectFailure(client(expired).privateGetAccountConfig(), ExchangeError, '50119');
    const config = (await client(readOnly).privateGetAccountConfig()) as Json;
    expect(config.data[0].perm).toBe('read_only');
    await expectFailure(client(readOnly).privatePostTradeOrder(ORDER), ExchangeError, '50120');
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 401, errorCode: '50120' });
  });

  it('reports withdraw permission', async () => {
    const config = (await client(withdraw).privateGetAccountConfig()) as Json;
    expect(config.data[0].perm).toBe('read_only,withdraw,trade');
  });

  it('takes demo-trading requests from demo keys only, and answers the others 50101', async () => {
    const simulated = (key: typeof good) => {
      const c = client(key);
      c.headers = { 'x-simulated-trading': '1' };
      return c;
    };
    await expect(simulated(demoKey).privateGetAccountBalance()).resolves.toMatchObject({
      code: '0',
    });
    await expectFailure(simulated(good).privateGetAccountBalance(), AuthenticationError, '50101');
    await expectFailure(client(demoKey).privateGetAccountConfig(), AuthenticationError, '50101');
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 401, errorCode: '50101' });
  });

  it('reports a native perm string verbatim and lets the key do what OKX would honour', async () => {
    const config = (await client(nativeRead).privateGetAccountConfig()) as Json;
    expect(config.data[0].perm).toBe('Read_Only');
    await expect(client(nativeRead).privateGetAccountBalance()).resolves.toMatchObject({
      code: '0',
    });
    await expectFailure(client(nativeRead).privatePostTradeOrder(ORDER), ExchangeError, '50120');
    // One token "read_only;trade" is neither read_only nor trade.
    const odd = (await client(nativeOdd).privateGetAccountConfig()) as Json;
    expect(odd.data[0].perm).toBe('read_only;trade');
    await expectFailure(client(nativeOdd).privateGetAccountBalance(), ExchangeError, '50120');
  });

  it('answers the key-information call with a raw body, after authentication', async () => {
    await expect(client(raw).privateGetAccountConfig()).resolves.toEqual({
      code: '0',
      msg: '',
      data: [{}],
    });
    const forged = { ...raw, apiSecret: `${raw.apiSecret}x` };
    await expectFailure(client(forged).privateGetAccountConfig(), AuthenticationError, '50113');
  });

  it('answers failWith keys with 50011 (HTTP 429) and 50120 (HTTP 401)', async () => {
    const error = await rejection(client(limited).privateGetAccountConfig());
    expect(error.message).toContain('"code":"50011"');
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 429, errorCode: '50011' });
    await expectFailure(client(denied).privateGetAccountConfig(), ExchangeError, '50120');
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 401, errorCode: '50120' });
    // Controls: the same calls succeed for a key without failWith.
    await expect(client(good).privateGetAccountConfig()).resolves.toMatchObject({ code: '0' });
  });

  it('refuses native permissions that are not a perm string', async () => {
    await expect(
      startSandbox({ keys: [canaryKey('okx', 'bad', { nativePermissions: { Spot: ['x'] } })] }),
    ).rejects.toThrow(/perm string/);
  });
});

describe('okx v5 raw protocol', () => {
  it('signs the request path with its query string, and errors with HTTP 401', async () => {
    const requestPath = '/api/v5/trade/order?instId=BTC-USDT&ordId=1';
    expect((await signedFetch({ method: 'GET', requestPath })).body.code).toBe('51603');
    const pathOnly = await signedFetch({
      method: 'GET',
      requestPath,
      signedPath: '/api/v5/trade/order',
    });
    expect(pathOnly).toEqual({ status: 401, body: { msg: 'Invalid Sign', code: '50113' } });
  });

  it('signs the raw JSON body of a POST', async () => {
    const body = JSON.stringify(ORDER);
    const placed = await signedFetch({ method: 'POST', requestPath: '/api/v5/trade/order', body });
    expect(placed.body).toMatchObject({ code: '0', data: [{ sCode: '0', sMsg: 'Order placed' }] });
    const unsignedBody = await signedFetch({
      method: 'POST',
      requestPath: '/api/v5/trade/order',
      body,
      signedPath: '/api/v5/trade/order{}',
    });
    expect(unsignedBody.body.code).toBe('50113');
  });

  it('keeps a ±30 s timestamp window', async () => {
    const path = '/api/v5/account/config';
    expect(
      (await signedFetch({ method: 'GET', requestPath: path, time: Date.now() + 25_000 })).status,
    ).toBe(200);
    expect(
      (await signedFetch({ method: 'GET', requestPath: path, time: Date.now() + 35_000 })).body
        .code,
    ).toBe('50102');
    expect(
      (await signedFetch({ method: 'GET', requestPath: path, time: Date.now() - 35_000 })).body
        .code,
    ).toBe('50102');
  });

  it('names the missing header', async () => {
    const response = await fetch(`${sandbox.url}/api/v5/account/config`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      msg: 'Request header "OK-ACCESS-KEY" can\'t be empty.',
      code: '50103',
    });
  });
});
