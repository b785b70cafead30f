import { OrderNotFound } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoKeys, type Sandbox, startSandbox } from './index.js';
import { ccxtClient, rejection } from './test-ccxt-client.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ keys: demoKeys() });
});
afterAll(() => sandbox.close());

describe.each(['bybit', 'binance', 'okx', 'kucoin'] as const)(
  'a raw ccxt %s client pointed at the sandbox',
  (exchange) => {
    it('loads markets, reads balance and ticker, places and cancels an order', async () => {
      const key = demoKeys().find(
        (k) => k.exchange === exchange && k.permissions?.withdraw === false,
      )!;
      const client = ccxtClient(exchange, sandbox.url, key);
      const before = sandbox.requests.length;

      const markets = await client.loadMarkets();
      expect(Object.keys(markets).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
      expect(markets['BTC/USDT']).toMatchObject({
        spot: true,
        active: true,
        base: 'BTC',
        quote: 'USDT',
      });
      expect(markets['BTC/USDT']!.precision.price).toBe(0.01);

      const balance = await client.fetchBalance();
      expect(balance.total).toMatchObject({ USDT: 10000, BTC: 0.5, ETH: 2 });
      expect(balance.free).toMatchObject({ USDT: 10000 });

      const ticker = await client.fetchTicker('BTC/USDT');
      expect(ticker).toMatchObject({
        symbol: 'BTC/USDT',
        last: 97250.5,
        bid: 97250.4,
        ask: 97250.6,
        high: 97888,
        low: 95500,
      });

      const order = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 10000);
      expect(order.id).toEqual(expect.any(String));
      // The right id in another market is not this order (KuCoin cancels by id alone).
      if (exchange !== 'kucoin') {
        await expect(client.cancelOrder(order.id!, 'ETH/USDT')).rejects.toBeInstanceOf(
          OrderNotFound,
        );
      }
      await client.cancelOrder(order.id!, 'BTC/USDT');
      // The order is gone now: canceling it again fails as on the exchange.
      const again = await rejection(client.cancelOrder(order.id!, 'BTC/USDT'));
      if (exchange === 'binance') {
        // ccxt applies Binance's per-host error maps only on api.binance.com; the generic map
        // still makes -2011 an OrderNotFound.
        expect(again.message).toContain('-2011');
      } else {
        const code = { bybit: '170213', okx: '51400', kucoin: 'order_not_exist' }[exchange];
        expect(again.message).toContain(code);
      }
      expect(again).toBeInstanceOf(OrderNotFound);

      const served = sandbox.requests.slice(before);
      expect(served.every((r) => r.exchange === exchange)).toBe(true);
      expect(served.filter((r) => !r.ok)).toHaveLength(exchange === 'kucoin' ? 1 : 2);
    });

    it("refuses a limit order under the market's minimum quantity or value, with the exchange's code", async () => {
      const key = demoKeys().find(
        (k) => k.exchange === exchange && k.permissions?.withdraw === false,
      )!;
      const client = ccxtClient(exchange, sandbox.url, key);
      await client.loadMarkets();
      // BTC/USDT: Bybit and OKX list a minimum of 0.000048 BTC, Bybit and Binance a 5 USDT value;
      // Binance's minimum quantity is its step, so ccxt's rounding never sends fewer.
      const expected = {
        bybit: ['170136', '170140'],
        binance: ['Filter failure: NOTIONAL', 'Filter failure: NOTIONAL'],
        okx: ['51020', undefined],
        kucoin: [
          'Order size below the minimum requirement.',
          'Order size below the minimum requirement.',
        ],
      }[exchange];
      const tooFew = await rejection(
        client.createOrder('BTC/USDT', 'limit', 'buy', 0.000001, 50_000),
      );
      expect(tooFew.message).toContain(expected[0]);
      const cheap = client.createOrder('BTC/USDT', 'limit', 'buy', 0.0001, 40_000); // 4 USDT
      if (expected[1] === undefined) await client.cancelOrder((await cheap).id!, 'BTC/USDT');
      else expect((await rejection(cheap)).message).toContain(expected[1]);
      const enough = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.0002, 40_000);
      await client.cancelOrder(enough.id!, 'BTC/USDT');
    });
  },
);
