import { createHmac, generateKeyPairSync } from 'node:crypto';
import { AuthenticationError, DDoSProtection, ExchangeError, InvalidNonce } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './index.js';
import { canaryKey, ccxtClient, type Json, rejection } from './test-ccxt-client.js';

const good = canaryKey('binance', 'good');
const readOnly = canaryKey('binance', 'readonly', { permissions: { trade: false } });
const walled = canaryKey('binance', 'walled', { ips: ['203.0.113.7'] });
const local = canaryKey('binance', 'local', { ips: ['127.0.0.1'] });
const expired = canaryKey('binance', 'expired', { expiresAt: '2020-01-01T00:00:00Z' });
const pem = (type: 'ed25519' | 'rsa') =>
  (type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ed25519')
  ).privateKey
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
const ed25519 = { ...canaryKey('binance', 'ed'), apiSecret: pem('ed25519') };
const rsa = { ...canaryKey('binance', 'rsa'), apiSecret: pem('rsa') };
const fix = canaryKey('binance', 'fix', {
  nativePermissions: {
    enableSpotAndMarginTrading: false,
    enableFixApiTrade: true,
    enableFoo: true,
  },
});
const raw = canaryKey('binance', 'raw', { keyInfoBody: {} });
const limited = canaryKey('binance', 'limited', { failWith: 'rate-limited' });
const denied = canaryKey('binance', 'denied', { failWith: 'permission-denied' });
const testnetKey = canaryKey('binance', 'testnet', { environment: 'testnet' });

const ORDER = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.001',
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
      ed25519,
      rsa,
      fix,
      raw,
      limited,
      denied,
      testnetKey,
    ],
  });
});
afterAll(() => sandbox.close());

const client = (key: { apiKey: string; apiSecret: string }) =>
  ccxtClient('binance', sandbox.url, key);

async function expectFailure(call: Promise<unknown>, errorClass: unknown, code: number) {
  const error = await rejection(call);
  expect(error.constructor).toBe(errorClass);
  expect(error.message).toContain(`"code":${code}`);
}

/** Signs `query + body` by hand as Binance's docs show (no '&' between the two parts). */
async function signedFetch(options: {
  method: string;
  path: string;
  query: string;
  body?: string;
  signed?: string;
}) {
  const signature = createHmac('sha256', good.apiSecret)
    .update(options.signed ?? options.query + (options.body ?? ''))
    .digest('hex');
  const inBody = options.body !== undefined;
  const response = await fetch(
    `${sandbox.url}${options.path}?${options.query}${inBody ? '' : `&signature=${signature}`}`,
    {
      method: options.method,
      headers: { 'X-MBX-APIKEY': good.apiKey, 'Content-Type': 'application/x-www-form-urlencoded' },
      ...(inBody ? { body: `${options.body}&signature=${signature}` } : {}),
    },
  );
  return { status: response.status, body: (await response.json()) as Json };
}

describe('binance signatures, checked against ccxt 4.5.84', () => {
  it('accepts ccxt-signed GET, POST and DELETE requests from the right key', async () => {
    const restrictions = (await client(good).sapiGetAccountApiRestrictions()) as Json;
    expect(restrictions).toMatchObject({
      enableReading: true,
      enableSpotAndMarginTrading: true,
      enableWithdrawals: false,
      ipRestrict: false,
    });
    const order = (await client(good).privatePostOrder(ORDER)) as Json;
    expect(order).toMatchObject({ symbol: 'BTCUSDT', status: 'NEW', side: 'BUY', type: 'LIMIT' });
    const canceled = (await client(good).privateDeleteOrder({
      symbol: 'BTCUSDT',
      orderId: order.orderId,
    })) as Json;
    expect(canceled).toMatchObject({ orderId: order.orderId, status: 'CANCELED' });
  });

  it('answers a wrong secret with -1022 on GET and POST (AuthenticationError)', async () => {
    const wrong = { ...good, apiSecret: `${good.apiSecret}x` };
    await expectFailure(client(wrong).sapiGetAccountApiRestrictions(), AuthenticationError, -1022);
    await expectFailure(client(wrong).privatePostOrder(ORDER), AuthenticationError, -1022);
  });

  it('answers an unknown key with -2015 (AuthenticationError)', async () => {
    await expectFailure(
      client({ ...good, apiKey: 'unknownKEY123' }).privateGetAccount(),
      AuthenticationError,
      -2015,
    );
  });

  it('answers a stale or early timestamp with -1021 (InvalidNonce)', async () => {
    const stale = client(good);
    stale.nonce = () => Date.now() - 11_000; // ccxt sends recvWindow=10000
    await expectFailure(stale.privateGetAccount(), InvalidNonce, -1021);
    const early = client(good);
    early.nonce = () => Date.now() + 3000;
    await expectFailure(early.privateGetAccount(), InvalidNonce, -1021);
    const patient = client(good);
    patient.nonce = () => Date.now() - 8000;
    await expect(patient.privateGetAccount()).resolves.toMatchObject({ accountType: 'SPOT' });
  });

  it('answers IP, expiry and permission problems alike with -2015, as Binance does', async () => {
    await expectFailure(client(walled).privateGetAccount(), AuthenticationError, -2015);
    await expect(client(local).privateGetAccount()).resolves.toMatchObject({ canTrade: true });
    // An expired key loses its trading authority; reading still works.
    const lapsed = (await client(expired).sapiGetAccountApiRestrictions()) as Json;
    expect(lapsed.tradingAuthorityExpirationTime).toBe(Date.parse('2020-01-01T00:00:00Z'));
    await expectFailure(client(expired).privatePostOrder(ORDER), AuthenticationError, -2015);
    await expectFailure(client(readOnly).privatePostOrder(ORDER), AuthenticationError, -2015);
    expect(sandbox.requests.at(-1)).toMatchObject({ status: 401, errorCode: '-2015', ok: false });
  });

  it('reports native flags, unknown ones too, and lets the key do what they grant', async () => {
    const flags = (await client(fix).sapiGetAccountApiRestrictions()) as Json;
    expect(flags).toMatchObject({
      enableSpotAndMarginTrading: false,
      enableFixApiTrade: true,
      enableFoo: true,
      enableReading: true,
      enableWithdrawals: false,
    });
    await expect(client(fix).privateGetAccount()).resolves.toMatchObject({ canTrade: false });
    await expectFailure(client(fix).privatePostOrder(ORDER), AuthenticationError, -2015);
  });

  it('answers the key-information call with a raw body, after authentication', async () => {
    await expect(client(raw).sapiGetAccountApiRestrictions()).resolves.toEqual({});
    const forged = { ...raw, apiSecret: `${raw.apiSecret}x` };
    await expectFailure(client(forged).sapiGetAccountApiRestrictions(), AuthenticationError, -1022);
  });

  it('rate-limits with -1003, HTTP 429 and Retry-After, then bans with HTTP 418', async () => {
    const c = client(limited);
    const statuses: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const error = await rejection(c.sapiGetAccountApiRestrictions());
      expect(error.constructor).toBe(DDoSProtection);
      expect(error.message).toContain('"code":-1003');
      statuses.push([sandbox.requests.at(-1)?.status, c.last_response_headers?.['Retry-After']]);
    }
    expect(statuses).toEqual([
      [429, '60'],
      [429, '60'],
      [418, '120'],
    ]);
    await expectFailure(client(denied).privateGetAccount(), AuthenticationError, -2015);
    // Control: a key without failWith is served.
    await expect(client(good).privateGetAccount()).resolves.toMatchObject({ canTrade: true });
  });

  it('answers a key of another environment as unknown: -2008 on /sapi, -2015 on /api/v3', async () => {
    await expectFailure(
      client(testnetKey).sapiGetAccountApiRestrictions(),
      ExchangeError, // ccxt's /sapi table does not list -2008; the exkeys table does
      -2008,
    );
    await expectFailure(client(testnetKey).privateGetAccount(), AuthenticationError, -2015);
    const testnet = await startSandbox({ keys: [testnetKey], environment: 'testnet' });
    try {
      const there = ccxtClient('binance', testnet.url, testnetKey);
      await expect(there.privateGetAccount()).resolves.toMatchObject({ canTrade: true });
    } finally {
      await testnet.close();
    }
  });

  it('refuses native permissions that are not apiRestrictions flags', async () => {
    await expect(
      startSandbox({ keys: [canaryKey('binance', 'bad', { nativePermissions: 'read_only' })] }),
    ).rejects.toThrow(/apiRestrictions flags/);
  });

  it('verifies Ed25519 and RSA keys as ccxt signs with them', async () => {
    for (const key of [ed25519, rsa]) {
      await expect(client(key).privateGetAccount()).resolves.toMatchObject({ accountType: 'SPOT' });
      await expect(client(key).privatePostOrder(ORDER)).resolves.toMatchObject({ status: 'NEW' });
    }
    const impostor = { ...ed25519, apiSecret: pem('ed25519') };
    await expectFailure(client(impostor).privateGetAccount(), AuthenticationError, -1022);
  });
});

describe('binance raw protocol', () => {
  const stamp = () => `recvWindow=5000&timestamp=${Date.now()}`;

  it('signs the query string concatenated with the body, without "&" between them', async () => {
    const query = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC';
    const body = `quantity=0.001&price=10000&${stamp()}`;
    const mixed = await signedFetch({ method: 'POST', path: '/api/v3/order', query, body });
    expect(mixed).toMatchObject({ status: 200, body: { status: 'NEW' } });
    const joined = await signedFetch({
      method: 'POST',
      path: '/api/v3/order',
      query,
      body,
      signed: `${query}&${body}`,
    });
    expect(joined).toEqual({
      status: 400,
      body: { code: -1022, msg: 'Signature for this request is not valid.' },
    });
  });

  it('limits recvWindow to 60000 and applies its default of 5000', async () => {
    const tooWide = await signedFetch({
      method: 'GET',
      path: '/api/v3/account',
      query: `recvWindow=60001&timestamp=${Date.now()}`,
    });
    expect(tooWide.body.code).toBe(-1131);
    const defaulted = await signedFetch({
      method: 'GET',
      path: '/api/v3/account',
      query: `timestamp=${Date.now() - 6000}`,
    });
    expect(defaulted).toMatchObject({ status: 400, body: { code: -1021 } });
    const widened = await signedFetch({
      method: 'GET',
      path: '/api/v3/account',
      query: `recvWindow=60000&timestamp=${Date.now() - 30_000}`,
    });
    expect(widened.status).toBe(200);
  });

  it('rejects a missing key header with -2014 and a missing signature with -1102', async () => {
    const noKey = await fetch(`${sandbox.url}/api/v3/account?timestamp=${Date.now()}&signature=00`);
    expect(await noKey.json()).toEqual({ code: -2014, msg: 'API-key format invalid.' });
    const unsigned = await fetch(`${sandbox.url}/api/v3/account?timestamp=${Date.now()}`, {
      headers: { 'X-MBX-APIKEY': good.apiKey },
    });
    expect(((await unsigned.json()) as Json).code).toBe(-1102);
  });
});
