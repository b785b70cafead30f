import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './server.js';
import { ccxtClient, type Json, rejection } from './test-ccxt-client.js';

/** A self-generated key pair: the private half stays with the client, the sandbox gets the public. */
function pair(type: 'ed25519' | 'rsa') {
  const { privateKey, publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

// Binance takes Ed25519 (and RSA) public keys; Bybit self-generated RSA keys. The exchange only ever
// sees the public key: so does the sandbox.
const CASES = [
  { exchange: 'binance', type: 'ed25519', apiKey: 'PUBONLYbinanceED25519'.padEnd(64, '0') },
  { exchange: 'bybit', type: 'rsa', apiKey: 'PUBONLYbybitRSA001' },
] as const;

describe.each(CASES)('a public-key-only $exchange key ($type)', ({ exchange, type, apiKey }) => {
  it('verifies signatures made with the private key it never saw, and refuses another key', async () => {
    const mine = pair(type);
    sandbox = await startSandbox({
      keys: [{ exchange, apiKey, apiSecret: '', publicKey: mine.publicPem }],
    });
    const client = ccxtClient(exchange, sandbox.url, { apiKey, apiSecret: mine.privatePem });
    const balance: Json = await client.fetchBalance();
    expect(balance.BTC).toBeDefined();

    // Control: a signature by another private key is refused.
    const other = ccxtClient(exchange, sandbox.url, { apiKey, apiSecret: pair(type).privatePem });
    const error = await rejection(other.fetchBalance());
    expect(error.constructor.name).toMatch(/AuthenticationError|ExchangeError/);
    expect(sandbox.requests.at(-1)?.errorCode).toBe(exchange === 'bybit' ? '10004' : '-1022');

    // The sandbox's own key list holds no private key, and says the key is public-key only.
    const [view] = sandbox.keys();
    expect(view?.publicKeyOnly).toBe(true);
    expect(JSON.stringify(sandbox.keys())).not.toContain('PRIVATE KEY');
  });
});
