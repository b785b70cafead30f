/**
 * Bybit's sub-account key endpoints, as the sandbox plays them: only a master key holding
 * "Account Transfer", "Sub Member Transfer" or "Withdrawal" may create, list and delete
 * sub-account keys (`10005` otherwise); a created key gets the requested permissions, IP list and
 * note, and its secret is returned once.
 * @see https://bybit-exchange.github.io/docs/v5/user/create-subuid-apikey
 * @see https://bybit-exchange.github.io/docs/v5/user/list-sub-apikeys
 * @see https://bybit-exchange.github.io/docs/v5/user/rm-sub-apikey
 * @module
 */
import type { ExchangeCall, ExchangeReply, Route } from './exchange-api.js';
import { keyId, type ResolvedKey, randomToken } from './sandbox-key.js';

/** The master account's UID the sandbox reports. */
export const BYBIT_MASTER_UID = '24617703';

/** The permission groups and values create-sub-api accepts for a sub-account key. */
const SUB_KEY_VALUES: Readonly<Record<string, readonly string[]>> = {
  ContractTrade: ['Order', 'Position'],
  Spot: ['SpotTrade'],
  Options: ['OptionsTrade'],
  Wallet: ['AccountTransfer', 'SubMemberTransferList'],
  Exchange: ['ExchangeHistory'],
  Earn: ['Earn'],
  Derivatives: ['DerivativesTrade'],
  CopyTrading: ['CopyTrading'],
};

type Envelope = (
  retCode: number,
  retMsg: string,
  result: unknown,
  now: number,
  apiKey?: string,
) => ExchangeReply;

/** What the key holds, as Bybit's groups: native permissions, else derived from its flags. */
export type Groups = (key: ResolvedKey) => Readonly<Record<string, readonly string[]>>;

/** The sub-account key routes, keyed `'METHOD /path'`, over the sandbox's mutable key table. */
export function bybitSubKeyRoutes(
  keys: Map<string, ResolvedKey>,
  envelope: Envelope,
  groups: Groups,
): Record<string, Route<Record<string, unknown>>> {
  /** Master keys with a wallet permission may manage sub-account keys. */
  function refuse(call: ExchangeCall, key: ResolvedKey): ExchangeReply | undefined {
    const wallet = groups(key).Wallet ?? [];
    const allowed =
      key.subAccount === null &&
      ['AccountTransfer', 'SubMemberTransfer', 'Withdraw'].some((v) => wallet.includes(v));
    return allowed
      ? undefined
      : envelope(
          10005,
          'Permission denied, please check your API key permissions.',
          {},
          call.now,
          key.apiKey,
        );
  }
  const subAccounts = () =>
    new Set([...keys.values()].filter((k) => k.exchange === 'bybit').map((k) => k.subAccount));
  // Key ids count up, so transcripts of a fresh sandbox are reproducible; secrets stay random.
  let created = 0;
  const subKeys = (uid: string) =>
    [...keys.values()].filter((k) => k.exchange === 'bybit' && k.subAccount === uid);

  return {
    'POST /v5/user/create-sub-api': {
      access: 'any',
      handle: (call, p, key) => {
        const refused = refuse(call, key);
        if (refused) return refused;
        const uid = String(p.subuid ?? '');
        if (!/^\d+$/.test(uid) || !subAccounts().has(uid)) {
          return envelope(
            10001,
            'params error: subuid is not a sub UID of this account',
            {},
            call.now,
            key.apiKey,
          );
        }
        const permissions = p.permissions;
        if (typeof permissions !== 'object' || permissions === null || Array.isArray(permissions)) {
          return envelope(10001, 'params error: permissions is required', {}, call.now, key.apiKey);
        }
        const granted: Record<string, string[]> = {};
        for (const [group, values] of Object.entries(permissions as Record<string, unknown>)) {
          const known = SUB_KEY_VALUES[group];
          if (!known || !Array.isArray(values) || values.some((v) => !known.includes(String(v)))) {
            return envelope(
              10001,
              `params error: permissions.${group} is invalid`,
              {},
              call.now,
              key.apiKey,
            );
          }
          granted[group] = values.map(String);
        }
        if (Object.values(granted).every((values) => values.length === 0)) {
          return envelope(
            10001,
            'params error: one permission type must be passed',
            {},
            call.now,
            key.apiKey,
          );
        }
        if (p.readOnly !== 0 && p.readOnly !== 1) {
          return envelope(10001, 'params error: readOnly must be 0 or 1', {}, call.now, key.apiKey);
        }
        const ips =
          typeof p.ips === 'string' && p.ips !== '' && p.ips !== '*'
            ? p.ips.split(',').map((ip) => ip.trim())
            : [];
        created += 1;
        const apiKey = `SANDBOXsubkey${String(created).padStart(5, '0')}`;
        const secret = randomToken(36);
        const trades = Object.entries(granted).some(([g, v]) => g !== 'Wallet' && v.length > 0);
        keys.set(keyId('bybit', apiKey), {
          exchange: 'bybit',
          apiKey,
          apiSecret: secret,
          verifyPem: null,
          subAccount: uid,
          label: typeof p.note === 'string' ? p.note : '',
          passphrase: '',
          read: true,
          trade: trades && p.readOnly === 0,
          withdraw: false,
          ips,
          // Unbound keys lapse after 90 days on Bybit.
          expiresAt: ips.length === 0 ? call.now + 90 * 86_400_000 : null,
          environment: call.environment,
          nativePermissions: granted,
          keyInfoBody: undefined,
          failWith: undefined,
        });
        return envelope(
          0,
          '',
          {
            id: String(100000 + keys.size),
            note: typeof p.note === 'string' ? p.note : '',
            apiKey,
            readOnly: p.readOnly,
            secret,
            permissions: granted,
          },
          call.now,
          key.apiKey,
        );
      },
    },
    'GET /v5/user/sub-apikeys': {
      access: 'any',
      handle: (call, p, key) => {
        const refused = refuse(call, key);
        if (refused) return refused;
        const uid = String(p.subMemberId ?? '');
        if (!subAccounts().has(uid) || uid === 'null') {
          return envelope(
            10001,
            'params error: subMemberId is not a sub UID of this account',
            {},
            call.now,
            key.apiKey,
          );
        }
        const result = subKeys(uid).map((k, index) => ({
          id: String(200000 + index),
          ips: k.ips.length > 0 ? [...k.ips] : ['*'],
          apiKey: k.apiKey,
          note: k.label,
          status: k.expiresAt === null ? 1 : 3,
          expiredAt: new Date(k.expiresAt ?? 0).toISOString().replace('.000Z', 'Z'),
          createdAt: '2026-01-05T08:00:00Z',
          type: 1,
          permissions: groups(k),
          secret: '******',
          readOnly: !k.trade,
          deadlineDay: k.expiresAt === null ? -2 : Math.ceil((k.expiresAt - call.now) / 86_400_000),
          flag: k.verifyPem ? 'rsa' : 'hmac',
        }));
        return envelope(0, '', { result, nextPageCursor: '' }, call.now, key.apiKey);
      },
    },
    'POST /v5/user/delete-sub-api': {
      access: 'any',
      handle: (call, p, key) => {
        const refused = refuse(call, key);
        if (refused) return refused;
        const target =
          typeof p.apikey === 'string' ? keys.get(keyId('bybit', p.apikey)) : undefined;
        if (!target || target.subAccount === null) {
          return envelope(
            10001,
            'params error: apikey is not a sub-account key of this account',
            {},
            call.now,
            key.apiKey,
          );
        }
        keys.delete(keyId('bybit', target.apiKey));
        return envelope(0, '', {}, call.now, key.apiKey);
      },
    },
  };
}
