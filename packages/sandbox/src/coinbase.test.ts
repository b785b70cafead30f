import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { AuthenticationError, PermissionDenied } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdpKeySecret, type Sandbox, startSandbox } from './index.js';
import { ccxtClient, type Json, rejection } from './test-ccxt-client.js';

// https://docs.cdp.coinbase.com/coinbase-app/authentication-authorization/api-key-authentication:
// a JWT with header { alg, kid: key name, nonce } and claims { sub: key name, iss: "cdp", nbf,
// exp: nbf + 120, uri: "METHOD host/path" }, sent as `Authorization: Bearer <jwt>`.
const NAME =
  'organizations/0a1b2c3d-0000-4000-8000-00000000c0de/apiKeys/c0ffee00-1111-4111-8111-00000000e5a1';
const ecdsa = {
  apiKey: NAME,
  apiSecret: cdpKeySecret('CANARYSECRETcoinbasesandboxecdsa01', 'ec-p256'),
};
const ed25519 = {
  apiKey: 'c0ffee00-1111-4111-8111-00000000ed01',
  apiSecret: cdpKeySecret('CANARYSECRETcoinbasesandboxeddsa01'),
};
const viewOnly = {
  apiKey: 'c0ffee00-1111-4111-8111-00000000ed02',
  apiSecret: cdpKeySecret('CANARYSECRETcoinbasesandboxview0002'),
};
const walled = {
  apiKey: 'c0ffee00-1111-4111-8111-00000000ed03',
  apiSecret: cdpKeySecret('CANARYSECRETcoinbasesandboxwall0003'),
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    keys: [
      { exchange: 'coinbase', ...ecdsa },
      { exchange: 'coinbase', ...ed25519, permissions: { withdraw: true } },
      { exchange: 'coinbase', ...viewOnly, permissions: { trade: false } },
      { exchange: 'coinbase', ...walled, ips: ['203.0.113.7'] },
    ],
  });
});
afterAll(() => sandbox.close());

const PATH = '/api/v3/brokerage/key_permissions';

/** The private key object a CDP secret stands for: PEM, or the seed of a raw Ed25519 secret. */
function privateKeyOf(secret: string) {
  if (secret.includes('PRIVATE KEY')) return createPrivateKey(secret);
  const seed = Buffer.from(secret, 'base64').subarray(0, 32);
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/** A JWT built by hand as Coinbase's docs describe, independent of ccxt and of the sandbox. */
function handJwt(
  key: { apiKey: string; apiSecret: string },
  options: {
    method?: string;
    path?: string;
    now?: number;
    lifetime?: number;
    header?: Record<string, unknown>;
    claims?: Record<string, unknown>;
  } = {},
): string {
  const eddsa = !key.apiSecret.includes('PRIVATE KEY');
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const host = new URL(sandbox.url).host;
  const header = {
    alg: eddsa ? 'EdDSA' : 'ES256',
    typ: 'JWT',
    kid: key.apiKey,
    nonce: randomBytes(16).toString('hex'),
    ...options.header,
  };
  const claims = {
    sub: key.apiKey,
    iss: 'cdp',
    nbf: now,
    exp: now + (options.lifetime ?? 120),
    uri: `${options.method ?? 'GET'} ${host}${options.path ?? PATH}`,
    ...options.claims,
  };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${encode(header)}.${encode(claims)}`;
  const signature = eddsa
    ? sign(null, Buffer.from(signed), privateKeyOf(key.apiSecret))
    : sign('sha256', Buffer.from(signed), {
        key: privateKeyOf(key.apiSecret),
        dsaEncoding: 'ieee-p1363',
      });
  return `${signed}.${signature.toString('base64url')}`;
}

async function call(jwt: string | undefined, method = 'GET', path = PATH, body?: string) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      ...(jwt === undefined ? {} : { authorization: `Bearer ${jwt}` }),
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, text: await response.text() };
}

describe('Coinbase sandbox: the JWT as the documentation describes it', () => {
  it.each([
    ['ES256 (ECDSA key, PEM secret)', ecdsa],
    ['EdDSA (Ed25519 key, raw base64 secret)', ed25519],
  ])('accepts a hand-made %s JWT for GET and POST (controls)', async (_name, key) => {
    const got = await call(handJwt(key));
    expect(got.status).toBe(200);
    expect(JSON.parse(got.text)).toMatchObject({ can_view: true, can_trade: true });
    const order = JSON.stringify({
      client_order_id: 'hand-1',
      product_id: 'BTC-USDT',
      side: 'BUY',
      order_configuration: { limit_limit_gtc: { base_size: '0.001', limit_price: '20000' } },
    });
    const posted = await call(
      handJwt(key, { method: 'POST', path: '/api/v3/brokerage/orders' }),
      'POST',
      '/api/v3/brokerage/orders',
      order,
    );
    expect(posted.status).toBe(200);
    expect(JSON.parse(posted.text)).toMatchObject({ success: true });
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['no Authorization header', () => undefined, 'no-bearer-token'],
    ['a token that is not a JWT', () => 'not.a-jwt', 'malformed-jwt'],
    [
      'an unknown key',
      () => handJwt({ ...ed25519, apiKey: 'c0ffee00-1111-4111-8111-0000000000ff' }),
      'unknown-key',
    ],
    [
      'another private key',
      () => handJwt({ ...ed25519, apiSecret: viewOnly.apiSecret }),
      'bad-signature',
    ],
    [
      'EdDSA claimed for an ECDSA key',
      () => handJwt(ecdsa, { header: { alg: 'EdDSA' } }),
      'wrong-alg',
    ],
    ['no nonce', () => handJwt(ed25519, { header: { nonce: undefined } }), 'no-nonce'],
    [
      'sub naming another key',
      () => handJwt(ed25519, { claims: { sub: viewOnly.apiKey } }),
      'bad-claims',
    ],
    ['another issuer', () => handJwt(ed25519, { claims: { iss: 'someone' } }), 'bad-claims'],
    ['an expired JWT', () => handJwt(ed25519, { now: now() - 300 }), 'outside-window'],
    [
      'a JWT not valid yet (clock ahead)',
      () => handJwt(ed25519, { now: now() + 60 }),
      'outside-window',
    ],
    ['a lifetime over 2 minutes', () => handJwt(ed25519, { lifetime: 600 }), 'bad-lifetime'],
    [
      'the uri of another path',
      () => handJwt(ed25519, { path: '/api/v3/brokerage/accounts' }),
      'wrong-uri',
    ],
    ['the uri of another method', () => handJwt(ed25519, { method: 'POST' }), 'wrong-uri'],
    ['no uri', () => handJwt(ed25519, { claims: { uri: undefined } }), 'wrong-uri'],
    ['a key bound to other IPs', () => handJwt(walled), 'ip-not-allowed'],
  ])('answers %s with a bare 401 Unauthorized', async (_name, jwt, why) => {
    const got = await call(jwt());
    expect(got).toEqual({ status: 401, text: 'Unauthorized\n' });
    expect(sandbox.requests.at(-1)).toMatchObject({
      status: 401,
      errorCode: `unauthorized:${why}`,
    });
  });

  it('answers a key without the scope with 403 PERMISSION_DENIED (code 7)', async () => {
    const order = JSON.stringify({ product_id: 'BTC-USDT', side: 'BUY', order_configuration: {} });
    const got = await call(
      handJwt(viewOnly, { method: 'POST', path: '/api/v3/brokerage/orders' }),
      'POST',
      '/api/v3/brokerage/orders',
      order,
    );
    expect(got.status).toBe(403);
    expect(JSON.parse(got.text)).toMatchObject({ error: 'PERMISSION_DENIED', code: 7 });
  });

  it('routes /api/v3/brokerage/ to Coinbase, and the rest of /api/v3/ still to Binance', async () => {
    await call(handJwt(ed25519));
    expect(sandbox.requests.at(-1)).toMatchObject({ exchange: 'coinbase', ok: true });
    await fetch(`${sandbox.url}/api/v3/time`);
    expect(sandbox.requests.at(-1)).toMatchObject({ exchange: 'binance', path: '/api/v3/time' });
  });
});

describe("Coinbase sandbox: ccxt's own signing", () => {
  it.each([
    ['ES256', ecdsa],
    ['EdDSA', ed25519],
  ])(
    'accepts a real ccxt client signing %s, for GET and POST, and logs 6 key characters at most',
    async (_alg, key) => {
      const client = ccxtClient('coinbase', sandbox.url, key);
      const permissions: Json = await client.v3PrivateGetBrokerageKeyPermissions();
      expect(permissions).toMatchObject({ can_view: true, portfolio_type: 'DEFAULT' });
      const accounts: Json = await client.v3PrivateGetBrokerageAccounts({ limit: 250 });
      expect(accounts.accounts.length).toBeGreaterThan(0);
      const order: Json = await client.v3PrivatePostBrokerageOrders({
        client_order_id: 'ccxt-1',
        product_id: 'BTC-USDT',
        side: 'BUY',
        order_configuration: { limit_limit_gtc: { base_size: '0.001', limit_price: '20000' } },
      });
      expect(order.success).toBe(true);
      const canceled: Json = await client.v3PrivatePostBrokerageOrdersBatchCancel({
        order_ids: [order.success_response.order_id],
      });
      expect(canceled.results[0].success).toBe(true);
      const log = JSON.stringify(sandbox.requests);
      expect(log).not.toContain(key.apiKey.slice(0, 7));
      expect(log).not.toContain('CANARYSECRET');
    },
  );

  it('refuses a ccxt client with the wrong private key, and a view-only key placing an order', async () => {
    const wrong = ccxtClient('coinbase', sandbox.url, {
      ...ed25519,
      apiSecret: viewOnly.apiSecret,
    });
    expect((await rejection(wrong.v3PrivateGetBrokerageKeyPermissions())).constructor).toBe(
      AuthenticationError,
    );
    const view = ccxtClient('coinbase', sandbox.url, viewOnly);
    const error = await rejection(
      view.v3PrivatePostBrokerageOrders({
        product_id: 'BTC-USDT',
        side: 'BUY',
        order_configuration: {},
      }),
    );
    expect(error.constructor).toBe(PermissionDenied);
  });
});
