/**
 * Kraken's nonces: every private request carries one, and Kraken refuses a nonce not greater than
 * the last one it saw for the key (`EAPI:Invalid nonce`). ccxt uses the clock in milliseconds, so
 * two requests within one millisecond (two clients of one key, or a verification while the bot
 * trades) would repeat a nonce. Every client this package builds draws from one counter instead,
 * which never repeats within a process. Another process using the same key still races it: one
 * key serves one process.
 * @module
 */

let last = 0;

/** The next nonce of this process: the clock in ms, or one more than the last nonce if that is later. */
export function nextNonce(now: number = Date.now()): number {
  last = Math.max(now, last + 1);
  return last;
}

/**
 * The `nonce` method given to every ccxt `kraken` client: {@link nextNonce} less ccxt's
 * `options.timeDifference` (which `adjustForTimeDifference` and tests set), as ccxt's own
 * `nonce()` does.
 */
export function krakenNonce(this: { options?: { timeDifference?: unknown } }): number {
  const difference = Number(this.options?.timeDifference ?? 0);
  return nextNonce() - (Number.isFinite(difference) ? difference : 0);
}
