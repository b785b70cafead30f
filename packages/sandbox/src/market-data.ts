/**
 * The two spot markets every imitation lists, with fixed prices so tests are repeatable. Each
 * exchange module renders these facts in its own response shapes.
 */
export interface SpotMarket {
  readonly base: string;
  readonly quote: string;
  readonly last: string;
  readonly bid: string;
  readonly bidSize: string;
  readonly ask: string;
  readonly askSize: string;
  readonly open24h: string;
  readonly high24h: string;
  readonly low24h: string;
  /** 24h volume in the base currency. */
  readonly volume24h: string;
  /** 24h volume in the quote currency. */
  readonly turnover24h: string;
  readonly tickSize: string;
  /** The smallest step of an order quantity. */
  readonly qtyStep: string;
  readonly minQty: string;
  readonly maxQty: string;
  /** The smallest order value in the quote currency. */
  readonly minNotional: string;
}

/** BTC/USDT and ETH/USDT. */
export const SPOT_MARKETS: readonly SpotMarket[] = [
  {
    base: 'BTC',
    quote: 'USDT',
    last: '97250.5',
    bid: '97250.4',
    bidSize: '0.812345',
    ask: '97250.6',
    askSize: '0.401532',
    open24h: '95980.1',
    high24h: '97888',
    low24h: '95500',
    volume24h: '12345.678901',
    turnover24h: '1191344321.42',
    tickSize: '0.01',
    qtyStep: '0.000001',
    minQty: '0.000048',
    maxQty: '71.73956243',
    minNotional: '5',
  },
  {
    base: 'ETH',
    quote: 'USDT',
    last: '3650.25',
    bid: '3650.24',
    bidSize: '10.21034',
    ask: '3650.26',
    askSize: '7.51',
    open24h: '3598.4',
    high24h: '3702.75',
    low24h: '3571.02',
    volume24h: '201394.48301',
    turnover24h: '730551243.77',
    tickSize: '0.01',
    qtyStep: '0.00001',
    minQty: '0.00062',
    maxQty: '1229.2336343',
    minNotional: '5',
  },
];

/** What every sandbox account holds, whatever it trades: balances do not move. */
export const BALANCES: readonly {
  readonly coin: string;
  readonly free: string;
  readonly usd: string;
}[] = [
  { coin: 'USDT', free: '10000', usd: '10000' },
  { coin: 'BTC', free: '0.5', usd: '48625.25' },
  { coin: 'ETH', free: '2', usd: '7300.5' },
];

/** Finds a market by its exchange id written as base + separator + quote. */
export function findMarket(id: string | undefined, separator: '' | '-'): SpotMarket | undefined {
  return SPOT_MARKETS.find((m) => `${m.base}${separator}${m.quote}` === id);
}

/** Total account value in USD, as a string with 2 decimals. */
export function totalUsd(): string {
  return BALANCES.reduce((sum, b) => sum + Number(b.usd), 0).toFixed(2);
}

/**
 * Why a limit order is smaller than the market accepts: its quantity is under `minQty`, or its
 * value (quantity × price) is under `minNotional`. `undefined` when it is large enough. Each
 * exchange lists its own minimums and answers with its own error.
 */
export function undersized(
  amount: string,
  price: string,
  limits: { readonly minQty: string; readonly minNotional?: string },
): 'quantity' | 'notional' | undefined {
  const qty = Number(amount);
  if (!(qty >= Number(limits.minQty))) return 'quantity';
  if (limits.minNotional !== undefined && !(qty * Number(price) >= Number(limits.minNotional))) {
    return 'notional';
  }
  return undefined;
}
