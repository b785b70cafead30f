import { randomUUID } from 'node:crypto';
import type { SandboxExchange } from './sandbox-key.js';

/** An order as the sandbox keeps it, in neutral terms each exchange module renders. */
export interface SandboxOrder {
  readonly id: string;
  readonly clientId: string;
  readonly exchange: SandboxExchange;
  readonly owner: string;
  /** The exchange's market id, e.g. `BTCUSDT` or `BTC-USDT`. */
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'limit' | 'market';
  readonly amount: string;
  readonly price: string;
  readonly createdAt: number;
  status: 'open' | 'filled' | 'canceled';
  updatedAt: number;
}

/** The input of {@link OrderStore.add}. */
export type NewOrder = Omit<SandboxOrder, 'id' | 'status' | 'updatedAt' | 'createdAt'> & {
  readonly now: number;
};

/**
 * In-memory orders. Limit orders rest until canceled; market orders fill at once. Orders are
 * private to the key that placed them, as on a real account.
 */
export class OrderStore {
  readonly #orders = new Map<string, SandboxOrder>();
  #sequence = 0;

  /** Records a new order and returns it. */
  add(input: NewOrder): SandboxOrder {
    this.#sequence += 1;
    const id =
      input.exchange === 'bybit' || input.exchange === 'coinbase'
        ? randomUUID()
        : input.exchange === 'kucoin'
          ? randomUUID().replaceAll('-', '').slice(0, 24)
          : input.exchange === 'kraken'
            ? // Kraken transaction ids look like `OU22CG-KLAF2-FWUDD7`.
              `O${String(this.#sequence).padStart(5, '0')}-EXKEY-SANDBX`
            : String(4_200_000_000 + this.#sequence * 7);
    const { now, ...fields } = input;
    const order: SandboxOrder = {
      ...fields,
      id,
      status: input.type === 'market' ? 'filled' : 'open',
      createdAt: now,
      updatedAt: now,
    };
    this.#orders.set(this.#key(input.exchange, input.owner, id), order);
    return order;
  }

  /**
   * Finds an order of this owner by exchange id or client id. With `market`, the order must be in
   * that market too, as exchanges answer "order does not exist" for the right id in another market.
   */
  find(
    exchange: SandboxExchange,
    owner: string,
    by: { id?: string | undefined; clientId?: string | undefined; market?: unknown },
  ): SandboxOrder | undefined {
    const order = this.#lookup(exchange, owner, by);
    return order && ('market' in by ? order.symbol === by.market : true) ? order : undefined;
  }

  #lookup(
    exchange: SandboxExchange,
    owner: string,
    by: { id?: string | undefined; clientId?: string | undefined },
  ): SandboxOrder | undefined {
    if (by.id) return this.#orders.get(this.#key(exchange, owner, by.id));
    if (!by.clientId) return undefined;
    for (const order of this.#orders.values()) {
      if (order.exchange === exchange && order.owner === owner && order.clientId === by.clientId) {
        return order;
      }
    }
    return undefined;
  }

  /** The orders of this owner on `exchange`, oldest first. */
  list(exchange: SandboxExchange, owner: string): SandboxOrder[] {
    return [...this.#orders.values()].filter(
      (order) => order.exchange === exchange && order.owner === owner,
    );
  }

  /** Cancels an open order; returns `undefined` when there is no open order to cancel. */
  cancel(order: SandboxOrder | undefined, now: number): SandboxOrder | undefined {
    if (order?.status !== 'open') return undefined;
    order.status = 'canceled';
    order.updatedAt = now;
    return order;
  }

  #key(exchange: SandboxExchange, owner: string, id: string): string {
    return `${exchange}\u0000${owner}\u0000${id}`;
  }
}
