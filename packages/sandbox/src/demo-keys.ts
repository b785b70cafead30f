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
  profile?: 'WITHDRAW' | 'PAYOUT' | 'ADMIN' | 'BOT';
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

/** The sub-accounts the demo bot keys of {@link demoSubAccountKeys} live on. */
export const DEMO_SUB_ACCOUNTS: Readonly<Record<'bybit' | 'okx' | 'binance', string>> = {
  /** A Bybit sub UID. */
  bybit: '100400345',
  /** An OKX sub-account name. */
  okx: 'exkeysdemobot',
  /** A Binance sub-account email. */
  binance: 'exkeys-demo-bot@example.invalid',
};

/**
 * Keys for trying `exkeys rotate --auto`: per exchange that supports it, an `ADMIN` master key
 * allowed to manage sub-account keys, and a `BOT` key on a sub-account, bound to `127.0.0.1`
 * (where the sandbox's requests come from). Separate from {@link demoKeys}, whose profiled keys a
 * safety check must refuse.
 */
export function demoSubAccountKeys(): DemoKey[] {
  return [
    {
      exchange: 'binance',
      apiKey: 'exkeysDEMObinanceADMINkey'.padEnd(64, '0'),
      apiSecret: 'exkeysDEMObinanceADMINsecretNotReal'.padEnd(64, '0'),
      // Binance's create and delete calls are TRADE endpoints for an IP-checked master key.
      permissions: { read: true, trade: true, withdraw: false },
      ips: ['127.0.0.1'],
      profile: 'ADMIN',
    },
    {
      exchange: 'binance',
      apiKey: 'exkeysDEMObinanceBOTkey'.padEnd(64, '0'),
      apiSecret: 'exkeysDEMObinanceBOTsecretNotReal'.padEnd(64, '0'),
      subAccount: DEMO_SUB_ACCOUNTS.binance,
      label: 'grid bot',
      permissions: { read: true, trade: true, withdraw: false },
      ips: ['127.0.0.1'],
      profile: 'BOT',
    },
    {
      exchange: 'bybit',
      apiKey: 'exkeysDEMOadmin001',
      apiSecret: 'exkeysDEMObybitADMINsecretNotReal000',
      // Bybit lets a master key manage sub-account keys with one of these permissions.
      nativePermissions: { Wallet: ['AccountTransfer', 'SubMemberTransfer'] },
      ips: ['127.0.0.1'],
      profile: 'ADMIN',
    },
    {
      exchange: 'bybit',
      apiKey: 'exkeysDEMObot00001',
      apiSecret: 'exkeysDEMObybitBOTsecretNotReal00000',
      subAccount: DEMO_SUB_ACCOUNTS.bybit,
      label: 'grid bot',
      nativePermissions: { Spot: ['SpotTrade'], ContractTrade: ['Order', 'Position'] },
      ips: ['127.0.0.1'],
      profile: 'BOT',
    },
    {
      exchange: 'okx',
      apiKey: 'dea00003-0000-4000-8000-00000000e4e5',
      apiSecret: 'DEA00003'.padEnd(32, '0'),
      passphrase: 'exkeysDEMO-admin-passphrase',
      // OKX lets a master key with Trade, bound to IP addresses, manage sub-account keys.
      nativePermissions: 'read_only,trade',
      ips: ['127.0.0.1'],
      profile: 'ADMIN',
    },
    {
      exchange: 'okx',
      apiKey: 'dea00004-0000-4000-8000-00000000e4e5',
      apiSecret: 'DEA00004'.padEnd(32, '0'),
      passphrase: 'exkeysDEMO-bot-passphrase',
      subAccount: DEMO_SUB_ACCOUNTS.okx,
      label: 'grid bot',
      nativePermissions: 'read_only,trade',
      ips: ['127.0.0.1'],
      profile: 'BOT',
    },
  ];
}
