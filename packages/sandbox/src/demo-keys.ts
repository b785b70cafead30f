import { cdpKeySecret } from './cdp-keys.js';
import type { SandboxExchange, SandboxKey } from './sandbox-key.js';

const EXCHANGES: readonly SandboxExchange[] = [
  'bybit',
  'binance',
  'okx',
  'coinbase',
  'kucoin',
  'kraken',
];

type Kind = 'TRADE' | 'DRAIN' | 'PAYOUT';

// Each value has the shape of a real key of that exchange (so validation has nothing to warn about)
// while reading as fake at a glance: it starts with `exkeysDEMO` (OKX, KuCoin: `dea0`/`DEA0` hex).
const SHAPES: Record<SandboxExchange, (kind: Kind) => Omit<SandboxKey, 'exchange'>> = {
  // Bybit: an 18- or 19-character key and a 36-character secret.
  bybit: (kind) => ({
    apiKey: `exkeysDEMO${kind.toLowerCase()}001`,
    apiSecret: `exkeysDEMObybit${kind}secretNotReal`.padEnd(36, '0'),
  }),
  // Binance: 64 letters and digits for both.
  binance: (kind) => ({
    apiKey: `exkeysDEMObinance${kind}key`.padEnd(64, '0'),
    apiSecret: `exkeysDEMObinance${kind}secretNotReal`.padEnd(64, '0'),
  }),
  // OKX: a UUID key, a 32-hex secret and a passphrase.
  okx: (kind) => ({
    apiKey: `dea0${kind === 'TRADE' ? '0001' : '0002'}-0000-4000-8000-00000000e4e5`,
    apiSecret: `DEA0${kind === 'TRADE' ? '0001' : '0002'}`.padEnd(32, '0'),
    passphrase: `exkeysDEMO-${kind.toLowerCase()}-passphrase`,
  }),
  // Coinbase CDP keys, one of each kind: the trade key is an Ed25519 key (a key id and a base64
  // secret on one line), the drain key an ECDSA key (organizations/…/apiKeys/… and a PEM EC key).
  // Both secrets spell exkeysDEMO…NotReal.
  coinbase: (kind) =>
    kind === 'TRADE'
      ? {
          apiKey: 'dea00001-0000-4000-8000-00000000c0b1',
          apiSecret: cdpKeySecret('exkeysDEMOcoinbaseTRADEsecretNotReal'),
        }
      : {
          apiKey: `organizations/dea00000-0000-4000-8000-00000000c0b1/apiKeys/dea0${kind === 'DRAIN' ? '0002' : '0003'}-0000-4000-8000-00000000c0b1`,
          apiSecret: cdpKeySecret(`exkeysDEMOcoinbase${kind}secretNotReal`, 'ec-p256'),
        },
  // KuCoin: a 24-hex key, a UUID secret and a passphrase.
  kucoin: (kind) => ({
    apiKey: `dea0${kind === 'TRADE' ? '0001' : '0002'}`.padEnd(24, '0'),
    apiSecret: `dea0${kind === 'TRADE' ? '0001' : '0002'}-0000-4000-8000-0000000c0c01`,
    passphrase: `exkeysDEMO-${kind.toLowerCase()}-passphrase`,
  }),
  // Kraken: a 56-character key and an 88-character base64 private key (letters and digits only
  // are valid base64 in whole groups of 4).
  kraken: (kind) => ({
    apiKey: `exkeysDEMOkraken${kind}key`.padEnd(56, '0'),
    apiSecret: `exkeysDEMOkraken${kind}privateKeyNotReal`.padEnd(88, '0'),
  }),
};

/** A demo key, with the profile a demo stores it under. */
export interface DemoKey extends SandboxKey {
  /**
   * `undefined` for the safe trade keys (the default profile); `WITHDRAW` for the keys that can
   * withdraw; `PAYOUT` for the Bybit key that can pay funds out over P2P. A safety check must
   * refuse every key with a profile.
   */
  profile?: 'WITHDRAW' | 'PAYOUT';
}

/**
 * Deterministic, obviously fake keys for demos and first tries: per exchange one trade key
 * (read + trade, no withdraw, no IP whitelist) and one withdraw-enabled key, and for Bybit one key
 * holding P2P (`FiatP2P`: it can pay funds out to other users without a withdraw permission).
 * A safety check should refuse all but the trade keys. The values are public; they open nothing
 * but the sandbox.
 */
export function demoKeys(): DemoKey[] {
  return EXCHANGES.flatMap((exchange): DemoKey[] => [
    {
      exchange,
      ...SHAPES[exchange]('TRADE'),
      permissions: { read: true, trade: true, withdraw: false },
    },
    {
      exchange,
      ...SHAPES[exchange]('DRAIN'),
      permissions: { read: true, trade: true, withdraw: true },
      profile: 'WITHDRAW',
    },
    ...(exchange === 'bybit'
      ? [
          {
            exchange,
            ...SHAPES.bybit('PAYOUT'),
            permissions: { read: true, trade: true, withdraw: false },
            nativePermissions: {
              Spot: ['SpotTrade'],
              FiatP2P: ['FiatP2POrder', 'Advertising'],
            },
            profile: 'PAYOUT' as const,
          },
        ]
      : []),
  ]);
}
