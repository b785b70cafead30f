import type { SandboxExchange, SandboxKey } from './sandbox-key.js';

const EXCHANGES: readonly SandboxExchange[] = ['bybit', 'binance', 'okx'];

/**
 * Deterministic, obviously fake keys for demos and first tries: per exchange one trade key
 * (read + trade, no withdraw, no IP whitelist) and one withdraw-enabled key, which a safety check
 * should refuse. The values are public; they open nothing but the sandbox.
 */
export function demoKeys(): SandboxKey[] {
  return EXCHANGES.flatMap((exchange): SandboxKey[] => [
    {
      exchange,
      apiKey: `exkeysDEMO${exchange}TRADEkey000001`,
      apiSecret: `exkeysDEMO${exchange}TRADEsecretNotARealSecret01`,
      ...(exchange === 'okx' ? { passphrase: 'exkeysDEMOpassphrase1' } : {}),
      permissions: { read: true, trade: true, withdraw: false },
    },
    {
      exchange,
      apiKey: `exkeysDEMO${exchange}WITHDRAWkey01`,
      apiSecret: `exkeysDEMO${exchange}WITHDRAWsecretNotARealSecret1`,
      ...(exchange === 'okx' ? { passphrase: 'exkeysDEMOpassphrase2' } : {}),
      permissions: { read: true, trade: true, withdraw: true },
    },
  ]);
}
