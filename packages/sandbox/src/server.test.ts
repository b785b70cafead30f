import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { demoKeys, type Sandbox, type SandboxKey, startSandbox } from './index.js';
import { canaryKey, ccxtClient, rejection } from './test-ccxt-client.js';

const started: Sandbox[] = [];
async function start(options: Parameters<typeof startSandbox>[0]): Promise<Sandbox> {
  const sandbox = await startSandbox(options);
  started.push(sandbox);
  return sandbox;
}
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((s) => s.close()));
});

/** Resolves true when a TCP connection to host:port opens. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves true when this process can bind 127.0.0.1:port itself. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('startSandbox', () => {
  it('binds 127.0.0.1 only, on a random port by default', async () => {
    const first = await start({ keys: [] });
    const second = await start({ keys: [] });
    expect(first.url).toBe(`http://127.0.0.1:${first.port}`);
    expect(first.port).toBeGreaterThan(0);
    expect(second.port).not.toBe(first.port);
    expect(await reachable('127.0.0.1', first.port)).toBe(true);
    expect(await reachable('::1', first.port)).toBe(false);
    // Linux routes all of 127/8 to loopback: a wildcard bind would answer on 127.0.0.2 too.
    expect(await reachable('127.0.0.2', first.port)).toBe(false);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((nic) => nic && nic.family === 'IPv4' && !nic.internal);
    if (external) expect(await reachable(external.address, first.port)).toBe(false);
    else console.info('No non-loopback IPv4 interface here; checked ::1 only.');
  });

  it('listens on the port it is given, and close() frees it', async () => {
    const probe = await startSandbox({ keys: [] });
    const port = probe.port;
    await probe.close();
    const sandbox = await startSandbox({ keys: [], port });
    expect(sandbox.port).toBe(port);
    expect(await bindable(port)).toBe(false);
    await sandbox.close();
    expect(await reachable('127.0.0.1', port)).toBe(false);
    expect(await bindable(port)).toBe(true);
  });

  it('delays every response by latencyMs', async () => {
    const sandbox = await start({ keys: [], latencyMs: 250 });
    const startedAt = performance.now();
    const response = await fetch(`${sandbox.url}/v5/market/time`);
    expect(response.status).toBe(200);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(240);
  });

  it('answers unknown paths with a JSON 404 and logs every request', async () => {
    const sandbox = await start({ keys: demoKeys() });
    const response = await fetch(`${sandbox.url}/v5/not-a-route?x=1`, {
      headers: { 'X-BAPI-API-KEY': 'exkeysDEMObybit' },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not-found' });
    await fetch(`${sandbox.url}/nowhere`);
    expect(sandbox.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/v5/not-a-route',
        exchange: 'bybit',
        keyPreview: 'exkeys…',
        status: 404,
        ok: false,
      }),
      expect.objectContaining({ path: '/nowhere', exchange: null, keyPreview: null }),
    ]);
    expect(Date.parse(sandbox.requests[0]!.at)).not.toBeNaN();
  });

  it('rejects keys it could not serve faithfully', async () => {
    const key = canaryKey('bybit', 'twice');
    await expect(startSandbox({ keys: [key, key] })).rejects.toThrow(/listed twice/);
    const okx = { ...canaryKey('okx', 'nopass'), passphrase: '' };
    await expect(startSandbox({ keys: [okx] })).rejects.toThrow(/needs a passphrase/);
    await expect(startSandbox({ keys: [{ ...key, expiresAt: 'soon' }] })).rejects.toThrow(/ISO/);
  });
});

describe('demoKeys', () => {
  it('gives each exchange one safe trade key and one withdraw-enabled key, and Bybit a P2P key, deterministically', () => {
    const keys = demoKeys();
    expect(demoKeys()).toEqual(keys);
    for (const exchange of ['bybit', 'binance', 'okx'] as const) {
      const mine = keys.filter((k) => k.exchange === exchange);
      expect(mine.slice(0, 2).map((k) => [k.profile, k.permissions])).toEqual([
        [undefined, { read: true, trade: true, withdraw: false }],
        ['WITHDRAW', { read: true, trade: true, withdraw: true }],
      ]);
      expect(mine.slice(2)).toEqual(
        exchange === 'bybit'
          ? [
              expect.objectContaining({
                profile: 'PAYOUT',
                nativePermissions: {
                  Spot: ['SpotTrade'],
                  FiatP2P: ['FiatP2POrder', 'Advertising'],
                },
              }),
            ]
          : [],
      );
      for (const key of mine) {
        expect(key.apiKey).toMatch(/exkeysDEMO|^dea0/);
        expect(key.apiSecret).toMatch(/NotReal|^DEA0/);
        expect(Boolean(key.passphrase)).toBe(exchange === 'okx');
      }
    }
  });
});

describe('secrets', () => {
  it('never appear in responses, the request log or the console, even on failures', async () => {
    const keys: SandboxKey[] = (['bybit', 'binance', 'okx'] as const).flatMap((exchange) => [
      canaryKey(exchange, 'ok'),
      canaryKey(exchange, 'walled', { ips: ['203.0.113.7'] }),
    ]);
    const printed: string[] = [];
    const capture = (chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    };
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation(capture),
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
        vi.spyOn(console, m).mockImplementation((...args) => void printed.push(args.join(' '))),
      ),
    ];
    const bodies: string[] = [];
    let log = '';
    try {
      const sandbox = await start({ keys });
      for (const key of keys) {
        const variants = [
          key,
          { ...key, apiSecret: `${key.apiSecret}x` },
          { ...key, passphrase: 'CANARYPASSwrong' },
        ];
        for (const variant of variants) {
          const client = ccxtClient(key.exchange, sandbox.url, variant);
          // Every response body the client receives, success or failure.
          const onRestResponse = client.onRestResponse.bind(client);
          client.onRestResponse = (...args: Parameters<typeof onRestResponse>) => {
            bodies.push(String(args[5]));
            return onRestResponse(...args);
          };
          try {
            await client.fetchBalance();
          } catch {
            // failures are the point; their bodies are checked below
          }
        }
      }
      const failing = ccxtClient('okx', sandbox.url, {
        ...keys[4]!,
        passphrase: 'CANARYPASSwrong',
      });
      bodies.push((await rejection(failing.fetchBalance())).message);
      log = JSON.stringify(sandbox.requests);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const everything = [...bodies, log, ...printed].join('\n');
    for (const code of [
      '"retCode":0',
      '"retCode":10004',
      '"retCode":10010',
      '-1022',
      '-2015',
      '50105',
      '50110',
    ]) {
      expect(everything).toContain(code);
    }
    for (const key of keys) {
      expect(everything).not.toContain(key.apiSecret.slice(0, 16));
      if (key.passphrase) expect(everything).not.toContain(key.passphrase);
      // The log previews keys with at most 6 characters.
      expect(log).not.toContain(key.apiKey.slice(0, 7));
    }
    expect(everything).not.toContain('CANARY');
  });
});
