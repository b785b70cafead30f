/**
 * OKX's sub-account endpoints, as the sandbox plays them. As OKX documents, they "apply to master
 * accounts only", and creating or deleting a key needs the Trade permission and a master key
 * linked to IP addresses (`50120` otherwise); a created key gets the requested `perm` (only
 * `read_only` and `trade`) and `ip`, and the passphrase the caller chose.
 * @see https://www.okx.com/docs-v5/en/#sub-account-rest-api-create-an-api-key-for-a-sub-account
 * @see https://www.okx.com/docs-v5/en/#sub-account-rest-api-query-the-api-key-of-a-sub-account
 * @see https://www.okx.com/docs-v5/en/#sub-account-rest-api-delete-the-api-key-of-sub-accounts
 * @see https://www.okx.com/docs-v5/en/#sub-account-rest-api-get-sub-account-list
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ExchangeReply, Route } from './exchange-api.js';
import { keyId, type ResolvedKey } from './sandbox-key.js';

/** The master account's UID the sandbox reports. */
export const OKX_MASTER_UID = '44705892343619584';

/** A stable UID for a sub-account name. */
export function okxSubUid(name: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(name).digest('hex').slice(0, 13)}`);
  return `5${digits.toString().padStart(16, '0').slice(0, 16)}`;
}

const ok = (data: unknown[], apiKey: string): ExchangeReply => ({
  status: 200,
  body: { code: '0', msg: '', data },
  apiKey,
});
const fail = (code: string, msg: string, apiKey: string): ExchangeReply => ({
  status: 200,
  body: { code, msg, data: [] },
  errorCode: code,
  apiKey,
});

/** OKX's passphrase rule: 8 to 32 characters with a digit, an upper and a lower case letter and a symbol. */
function validPassphrase(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 8 &&
    value.length <= 32 &&
    /\d/.test(value) &&
    /[A-Z]/.test(value) &&
    /[a-z]/.test(value) &&
    /[^A-Za-z0-9]/.test(value)
  );
}

/** The sub-account routes over the sandbox's mutable key table; `perm` is the key's `perm` string. */
export function okxSubKeyRoutes(
  keys: Map<string, ResolvedKey>,
  perm: (key: ResolvedKey) => string,
): Record<string, Route<Record<string, unknown>>> {
  const okxKeys = () => [...keys.values()].filter((k) => k.exchange === 'okx');
  const subAccounts = () =>
    [...new Set(okxKeys().map((k) => k.subAccount))].filter((s): s is string => s !== null);
  const denied = (key: ResolvedKey) => fail('50120', "API key doesn't have permission", key.apiKey);
  /** Master key; to change keys also Trade and an IP binding. */
  function refuse(key: ResolvedKey, change: boolean): ExchangeReply | undefined {
    if (key.subAccount !== null) return denied(key);
    if (!change) return undefined;
    const tokens = perm(key).split(',');
    const bound = key.ips.some((ip) => ip !== '*');
    return tokens.includes('trade') && bound ? undefined : denied(key);
  }
  // Key ids count up, so transcripts of a fresh sandbox are reproducible; secrets stay random.
  let created = 0;
  const unknownSub = (key: ResolvedKey) => fail('51000', 'Parameter subAcct error', key.apiKey);

  return {
    'GET /api/v5/users/subaccount/list': {
      access: 'read',
      handle: (_call, _p, key) =>
        refuse(key, false) ??
        ok(
          subAccounts().map((subAcct) => ({
            type: '1',
            enable: true,
            subAcct,
            uid: okxSubUid(subAcct),
            label: subAcct,
            mobile: '',
            gAuth: false,
            frozenFunc: [],
            canTransOut: false,
            ts: '1597026383085',
            subAcctLv: '1',
            firstLvSubAcct: subAcct,
            ifDma: false,
          })),
          key.apiKey,
        ),
    },
    'POST /api/v5/users/subaccount/apikey': {
      access: 'any',
      handle: (call, p, key) => {
        const refused = refuse(key, true);
        if (refused) return refused;
        const subAcct = String(p.subAcct ?? '');
        if (!subAccounts().includes(subAcct)) return unknownSub(key);
        if (typeof p.label !== 'string' || p.label === '') {
          return fail('51000', 'Parameter label error', key.apiKey);
        }
        if (!validPassphrase(p.passphrase)) {
          return fail('51000', 'Parameter passphrase error', key.apiKey);
        }
        const tokens = String(p.perm ?? 'read_only')
          .split(',')
          .map((t) => t.trim());
        // This endpoint grants read_only and trade only: a withdraw request is refused.
        if (tokens.some((t) => t !== 'read_only' && t !== 'trade')) {
          return fail('51000', 'Parameter perm error', key.apiKey);
        }
        const ips =
          typeof p.ip === 'string' && p.ip !== '' ? p.ip.split(',').map((ip) => ip.trim()) : [];
        if (ips.length > 20) return fail('51000', 'Parameter ip error', key.apiKey);
        created += 1;
        const apiKey = `5a0d0000-0000-4000-8000-${String(created).padStart(12, '0')}`;
        const secret = randomBytes(16).toString('hex').toUpperCase();
        const granted = ['read_only', ...(tokens.includes('trade') ? ['trade'] : [])].join(',');
        keys.set(keyId('okx', apiKey), {
          exchange: 'okx',
          apiKey,
          apiSecret: secret,
          verifyPem: null,
          subAccount: subAcct,
          label: p.label,
          passphrase: p.passphrase,
          read: true,
          trade: tokens.includes('trade'),
          withdraw: false,
          ips,
          // Unbound trading keys lapse after 14 days unused; the sandbox does not age keys.
          expiresAt: null,
          environment: key.environment,
          nativePermissions: granted,
          keyInfoBody: undefined,
          failWith: undefined,
        });
        return ok(
          [
            {
              subAcct,
              label: p.label,
              apiKey,
              secretKey: secret,
              passphrase: p.passphrase,
              perm: granted,
              ip: ips.join(','),
              ts: String(call.now),
            },
          ],
          key.apiKey,
        );
      },
    },
    'GET /api/v5/users/subaccount/apikey': {
      access: 'read',
      handle: (_call, p, key) => {
        const refused = refuse(key, false);
        if (refused) return refused;
        const subAcct = String(p.subAcct ?? '');
        if (!subAccounts().includes(subAcct)) return unknownSub(key);
        const rows = okxKeys()
          .filter((k) => k.subAccount === subAcct && (!p.apiKey || p.apiKey === k.apiKey))
          .map((k) => ({
            label: k.label,
            apiKey: k.apiKey,
            perm: perm(k),
            ip: k.ips.filter((ip) => ip !== '*').join(','),
            ts: '1597026383085',
          }));
        return ok(rows, key.apiKey);
      },
    },
    'POST /api/v5/users/subaccount/delete-apikey': {
      access: 'any',
      handle: (_call, p, key) => {
        const refused = refuse(key, true);
        if (refused) return refused;
        const subAcct = String(p.subAcct ?? '');
        const target = typeof p.apiKey === 'string' ? keys.get(keyId('okx', p.apiKey)) : undefined;
        if (!target || target.subAccount !== subAcct) {
          return fail('51000', 'Parameter apiKey error', key.apiKey);
        }
        keys.delete(keyId('okx', target.apiKey));
        return ok([{ subAcct }], key.apiKey);
      },
    },
  };
}
