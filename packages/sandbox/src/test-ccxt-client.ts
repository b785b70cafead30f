import { binance, bybit, coinbase, type Exchange, kraken, kucoin, okx } from 'ccxt';
import type { SandboxExchange, SandboxKey } from './sandbox-key.js';

/** The credentials a ccxt client is built with; may differ from the sandbox's on purpose. */
export interface ClientCredentials {
  apiKey: string;
  apiSecret: string;
  passphrase?: string | undefined;
}

const CLIENTS = { bybit, binance, okx, coinbase, kucoin, kraken } as const;

/**
 * A raw ccxt client whose every API origin is rewritten to the sandbox, paths kept, as the
 * package README tells users to do. No other option is changed.
 */
export function ccxtClient(
  exchange: SandboxExchange,
  url: string,
  credentials: ClientCredentials,
): Exchange {
  const client = new CLIENTS[exchange]({
    apiKey: credentials.apiKey,
    secret: credentials.apiSecret,
    ...(credentials.passphrase === undefined ? {} : { password: credentials.passphrase }),
  });
  pointAt(client.urls.api as Record<string, unknown>, url);
  return client;
}

function pointAt(urls: Record<string, unknown>, origin: string): void {
  for (const [name, value] of Object.entries(urls)) {
    if (typeof value === 'string') urls[name] = value.replace(/^https?:\/\/[^/]+/, origin);
    else if (value && typeof value === 'object') pointAt(value as Record<string, unknown>, origin);
  }
}

/** A sandbox key with canary values, so tests can prove no secret leaks. */
export function canaryKey(
  exchange: SandboxExchange,
  name: string,
  extra: Partial<SandboxKey> = {},
): SandboxKey {
  return {
    exchange,
    apiKey: `${name}KEY${exchange}0123456789abcdef`,
    // Kraken decodes its private key from base64: pad the canary to whole 4-character groups.
    apiSecret:
      exchange === 'kraken'
        ? base64Groups(`CANARYSECRET${exchange}${name}0123456789abcdef`)
        : `CANARYSECRET${exchange}${name}0123456789abcdef`,
    ...(exchange === 'okx' || exchange === 'kucoin' ? { passphrase: `CANARYPASS${name}` } : {}),
    ...extra,
  };
}

function base64Groups(text: string): string {
  return text.padEnd(Math.ceil(text.length / 4) * 4, '0');
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Exchange JSON as tests read it: deep property access without a schema per endpoint. */
// biome-ignore lint/suspicious/noExplicitAny: assertions check the shape at run time.
export type Json = any;
