/**
 * `defineExchange`: turns an exchange package's spec into its two public functions, so a package is
 * its tables plus two documented exports.
 * @module
 */
import type { KeyReport } from '../policy.js';
import type { ValidatedCredentials } from '../validated-credentials.js';
import type { ExchangeClientOptions } from './client-options.js';
import { updateClientCredentials } from './client-privacy.js';
import { createExchangeClient } from './create-client.js';
import type { ExchangeSpec } from './exchange-spec.js';
import { verifyExchangeKey } from './verify-key.js';

/**
 * The factory and verifier of one exchange. `O` is its options type: {@link ExchangeClientOptions},
 * or that plus the exchange's own (OKX `region`).
 */
export interface ExchangeFunctions<
  E extends string,
  C,
  O extends ExchangeClientOptions = ExchangeClientOptions,
> {
  /** Builds the ccxt client; see {@link createExchangeClient}. */
  createClient: (creds: ValidatedCredentials<E>, options?: O) => Promise<C>;
  /** One authenticated key-information call; see {@link verifyExchangeKey}. */
  verifyKey: (creds: ValidatedCredentials<E>, options?: O) => Promise<KeyReport>;
  /** Swaps the credentials of a live client; see {@link updateClientCredentials}. */
  updateClient: (client: C, creds: ValidatedCredentials<E>) => void;
}

/**
 * Binds {@link createExchangeClient}, {@link verifyExchangeKey} and {@link updateClientCredentials}
 * to `spec`.
 */
export function defineExchange<
  E extends string,
  C,
  O extends ExchangeClientOptions = ExchangeClientOptions,
>(spec: ExchangeSpec<E, C, O>): ExchangeFunctions<E, C, O> {
  return {
    createClient: (creds, options) => createExchangeClient(spec, creds, options),
    verifyKey: (creds, options) => verifyExchangeKey(spec, creds, options),
    updateClient: (client, creds) => updateClientCredentials(client as object, creds),
  };
}
