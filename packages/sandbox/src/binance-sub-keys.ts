/**
 * Binance's sub-account API-key endpoints, as the sandbox plays them. They are for master accounts;
 * creating and deleting keys is a TRADE endpoint whose caller must pass Binance's IP check, so the
 * sandbox asks for a master key that trades and is bound to IP addresses (`-2015` otherwise). A key
 * created with a `publicKey` is verified with it: the sandbox never learns its private half.
 * @see https://developers.binance.com/docs/sub_account/api-management/Create-Sub-account-API-Key-V2
 * @see https://developers.binance.com/docs/sub_account/api-management/Delete-Sub-account-API-Key
 * @see https://developers.binance.com/en/docs/catalog/vip-and-institutional-sub-account/api/rest-api/api-management
 * @see https://developers.binance.com/docs/sub_account/api-management/Get-IP-Restriction-for-a-Sub-account-API-Key
 * @see https://developers.binance.com/docs/sub_account/account-management/Query-Sub-account-List
 * @module
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import type { ExchangeReply, Route } from './exchange-api.js';
import { keyId, type ResolvedKey } from './sandbox-key.js';

const ok = (body: unknown, apiKey: string): ExchangeReply => ({ status: 200, body, apiKey });
const fail = (status: number, code: number, msg: string, apiKey: string): ExchangeReply => ({
  status,
  body: { code, msg },
  errorCode: String(code),
  apiKey,
});

/** The `can*` flags of the create call and the `apiRestrictions` flag each sets. */
const CREATE_FLAGS: Readonly<Record<string, string>> = {
  canTrade: 'enableSpotAndMarginTrading',
  canMarginLoanRepay: 'enableMargin',
  canFuturesTrade: 'enableFutures',
  canUniversalTransfer: 'permitsUniversalTransfer',
  canVanillaOptions: 'enableVanillaOptions',
  canFixApiTrading: 'enableFixApiTrade',
  canFixApiReading: 'enableFixReadOnly',
};

/** The sub-account key routes over the sandbox's mutable key table. */
export function binanceSubKeyRoutes(
  keys: Map<string, ResolvedKey>,
  powers: (key: ResolvedKey) => { read: boolean; trade: boolean },
): Record<string, Route<Record<string, string>>> {
  const binanceKeys = () => [...keys.values()].filter((k) => k.exchange === 'binance');
  const emails = () =>
    [...new Set(binanceKeys().map((k) => k.subAccount))].filter((s): s is string => s !== null);
  const denied = (key: ResolvedKey) =>
    fail(401, -2015, 'Invalid API-key, IP, or permissions for action.', key.apiKey);
  function refuse(key: ResolvedKey, change: boolean): ExchangeReply | undefined {
    if (key.subAccount !== null) return denied(key);
    if (!change) return undefined;
    return powers(key).trade && key.ips.some((ip) => ip !== '*') ? undefined : denied(key);
  }
  const badEmail = (key: ResolvedKey) =>
    fail(400, -1100, "Illegal characters found in parameter 'email'.", key.apiKey);
  /** The sub-account key `apiKey` of `email`, or `undefined`. */
  const subKey = (email: string, apiKey: string | undefined) => {
    const key = apiKey ? keys.get(keyId('binance', apiKey)) : undefined;
    return key?.subAccount === email ? key : undefined;
  };
  const flags = (k: ResolvedKey) => (k.nativePermissions ?? {}) as Record<string, boolean>;
  const render = (k: ResolvedKey) => ({
    apiName: k.label,
    apiKey: k.apiKey,
    ...Object.fromEntries(
      // The fields of the documented answer; the FIX flags are request parameters only.
      Object.entries(CREATE_FLAGS)
        .filter(([can]) => !can.startsWith('canFix'))
        .map(([can, flag]) => [can, flags(k)[flag] === true]),
    ),
    status: k.ips.length > 0 ? 2 : 1,
    ipList: [...k.ips],
  });
  // Key ids count up, so transcripts of a fresh sandbox are reproducible; secrets stay random.
  let created = 0;

  return {
    'GET /sapi/v1/sub-account/list': {
      access: 'read',
      handle: (_call, _p, key) =>
        refuse(key, false) ??
        ok(
          {
            subAccounts: emails().map((email) => ({
              email,
              isFreeze: false,
              createTime: 1544433328000,
              isManagedSubAccount: false,
              isAssetManagementSubAccount: false,
            })),
          },
          key.apiKey,
        ),
    },
    'GET /sapi/v1/sub-account/subAccountApi/ipRestriction': {
      access: 'read',
      handle: (call, p, key) => {
        const refused = refuse(key, false);
        if (refused) return refused;
        if (!emails().includes(p.email ?? '')) return badEmail(key);
        const target = subKey(p.email ?? '', p.subAccountApiKey);
        if (!target) return denied(key);
        return ok(
          {
            ipRestrict: String(target.ips.length > 0),
            ipList: [...target.ips],
            updateTime: call.now,
            apiKey: target.apiKey,
          },
          key.apiKey,
        );
      },
    },
    'GET /sapi/v1/sub-account/subAccountApi': {
      access: 'read',
      handle: (call, p, key) => {
        const refused = refuse(key, false);
        if (refused) return refused;
        if (!emails().includes(p.email ?? '')) return badEmail(key);
        // "Query Sub-account API Key": pages of `size` (default 30, at most 100), `apikey` in lower case.
        const size = Math.min(Math.max(Number(p.size ?? 30) || 30, 1), 100);
        const page = Math.max(Number(p.page ?? 1) || 1, 1);
        const all = binanceKeys().filter((k) => k.subAccount === p.email);
        return ok(
          {
            total: all.length,
            rows: all.slice((page - 1) * size, page * size).map((k) => {
              const { apiKey, status: _status, ipList: _ips, ...rest } = render(k);
              return { email: k.subAccount, ...rest, apikey: apiKey, timestamp: call.now };
            }),
          },
          key.apiKey,
        );
      },
    },
    'POST /sapi/v2/sub-account/subAccountApi': {
      access: 'any',
      handle: (_call, p, key) => {
        const refused = refuse(key, true);
        if (refused) return refused;
        const email = p.email ?? '';
        if (!emails().includes(email)) return badEmail(key);
        if (!p.apiName)
          return fail(400, -1102, "Mandatory parameter 'apiName' was not sent.", key.apiKey);
        const status = Number(p.status);
        const ips =
          status === 2
            ? (p.ipAddress ?? '')
                .split(',')
                .map((ip) => ip.trim())
                .filter(Boolean)
            : [];
        if ((status !== 1 && status !== 2) || (status === 2 && ips.length === 0)) {
          return fail(400, -1102, "Mandatory parameter 'ipAddress' was not sent.", key.apiKey);
        }
        let publicKey: string | null = null;
        if (p.publicKey) {
          try {
            const parsed = createPublicKey(p.publicKey);
            if (!['ed25519', 'rsa'].includes(parsed.asymmetricKeyType ?? ''))
              throw new Error('type');
            publicKey = p.publicKey;
          } catch {
            return fail(
              400,
              -1100,
              "Illegal characters found in parameter 'publicKey'.",
              key.apiKey,
            );
          }
        }
        const native: Record<string, boolean> = {
          enableReading: true,
          enableWithdrawals: false,
          enableInternalTransfer: false,
        };
        for (const [can, flag] of Object.entries(CREATE_FLAGS)) native[flag] = p[can] === 'true';
        created += 1;
        const apiKey = `SANDBOXsubkey${String(created).padStart(5, '0')}`.padEnd(64, '0');
        const secret = publicKey ? '' : randomBytes(32).toString('hex');
        const next: ResolvedKey = {
          exchange: 'binance',
          apiKey,
          apiSecret: secret,
          verifyPem: publicKey,
          subAccount: email,
          label: p.apiName,
          passphrase: '',
          read: true,
          trade: native.enableSpotAndMarginTrading === true,
          withdraw: false,
          ips,
          expiresAt: null,
          environment: key.environment,
          nativePermissions: native,
          keyInfoBody: undefined,
          failWith: undefined,
        };
        keys.set(keyId('binance', apiKey), next);
        return ok({ ...render(next), secretKey: secret }, key.apiKey);
      },
    },
    'DELETE /sapi/v1/sub-account/subAccountApi': {
      access: 'any',
      handle: (_call, p, key) => {
        const refused = refuse(key, true);
        if (refused) return refused;
        if (!emails().includes(p.email ?? '')) return badEmail(key);
        const target = subKey(p.email ?? '', p.subAccountApiKey);
        if (!target) return denied(key);
        keys.delete(keyId('binance', target.apiKey));
        return ok({}, key.apiKey);
      },
    },
  };
}
