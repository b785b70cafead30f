/**
 * Binance's sub-account key API for `rotateKey`. The bot key reads its own flags
 * (`GET /sapi/v1/account/apiRestrictions`); the master key finds the bot's sub-account
 * (`GET /sapi/v1/sub-account/list`, then `GET /sapi/v1/sub-account/subAccountApi/ipRestriction`,
 * which also gives the IP list), creates a key from an Ed25519 key pair generated here
 * (`POST /sapi/v2/sub-account/subAccountApi` with `publicKey`: the private key never leaves this
 * machine), lists ("Query Sub-account API Key", `GET /sapi/v1/sub-account/subAccountApi`) and deletes
 * (`DELETE /sapi/v1/sub-account/subAccountApi`) the sub-account's keys. ccxt 4.5.84 has no implicit
 * methods for the create, list and delete calls, so they go through its signed `request`.
 * @see https://developers.binance.com/docs/sub_account/api-management/Create-Sub-account-API-Key-V2
 * @see https://developers.binance.com/docs/sub_account/api-management/Delete-Sub-account-API-Key
 * @see https://developers.binance.com/en/docs/catalog/vip-and-institutional-sub-account/api/rest-api/api-management
 * @see https://developers.binance.com/docs/sub_account/api-management/Get-IP-Restriction-for-a-Sub-account-API-Key
 * @see https://developers.binance.com/docs/sub_account/account-management/Query-Sub-account-List
 * @module
 */
import { KeyRotationError } from '@exkeys/credentials';
import { type KeyManagementSpec, unreadableField } from '@exkeys/credentials/exchange';
import type { binance } from 'ccxt';
import { readApiRestrictions } from './permissions.js';

/** The `apiRestrictions` flag behind each `can*` parameter of the create call. */
const CREATE_FLAGS: Readonly<Record<string, string>> = {
  enableSpotAndMarginTrading: 'canTrade',
  enableMargin: 'canMarginLoanRepay',
  enableFutures: 'canFuturesTrade',
  enableVanillaOptions: 'canVanillaOptions',
  enableFixApiTrade: 'canFixApiTrading',
  enableFixReadOnly: 'canFixApiReading',
};

/** The largest page "Query Sub-account API Key" answers. */
const LIST_PAGE_SIZE = 100;

/** ccxt's signed request, for endpoints it has no implicit method for. */
interface SignedRequest {
  request(
    path: string,
    api: string,
    method: string,
    params: Record<string, unknown>,
  ): Promise<unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(row: Record<string, unknown>, field: string, path: string): string {
  const value = row[field];
  if (typeof value !== 'string' || value === '')
    unreadableField(path, 'is missing or not a string');
  return value;
}

function ipList(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || value.some((ip) => typeof ip !== 'string')) {
    unreadableField(path, 'is not a list of strings');
  }
  return (value as string[]).filter((ip) => ip !== '' && ip !== '*');
}

/** ccxt's error for a refused call carries Binance's code; a network failure must not be skipped. */
function refusedByBinance(error: unknown): boolean {
  let proto: unknown =
    typeof error === 'object' && error !== null ? Object.getPrototypeOf(error) : null;
  while (proto !== null && proto !== Object.prototype) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name;
    if (name === 'NetworkError') return false;
    proto = Object.getPrototypeOf(proto);
  }
  return true;
}

/** The key-management calls of Binance, for `defineKeyManager`. */
export const BINANCE_KEY_MANAGEMENT: KeyManagementSpec<binance> = {
  endpoints: {
    describe: 'GET /sapi/v1/account/apiRestrictions',
    create: 'POST /sapi/v2/sub-account/subAccountApi',
    list: 'GET /sapi/v1/sub-account/subAccountApi',
    remove: 'DELETE /sapi/v1/sub-account/subAccountApi',
  },
  secret: 'ed25519',
  async describe({ bot, admin }, apiKey) {
    const facts = readApiRestrictions(await bot.sapiGetAccountApiRestrictions());
    const listed = await admin.sapiGetSubAccountList({ limit: 200 });
    if (!isRecord(listed) || !Array.isArray(listed.subAccounts)) {
      unreadableField('subAccounts', 'is missing or not a list');
    }
    for (const [index, row] of (listed.subAccounts as unknown[]).entries()) {
      if (!isRecord(row)) unreadableField(`subAccounts.${index}`, 'is not an object');
      const email = text(row, 'email', `subAccounts.${index}.email`);
      let restriction: unknown;
      try {
        restriction = await admin.sapiGetSubAccountSubAccountApiIpRestriction({
          email,
          subAccountApiKey: apiKey,
        });
      } catch (error) {
        // Another sub-account's key: Binance refuses the pair. Anything else stops the rotation.
        if (refusedByBinance(error)) continue;
        throw error;
      }
      if (!isRecord(restriction)) unreadableField('(the whole body)', 'is not a JSON object');
      return {
        account: email,
        grants: [...facts.permissions.grants],
        ips: ipList(restriction.ipList ?? [], 'ipList'),
        label: '',
      };
    }
    throw new KeyRotationError(
      'binance',
      'master-key',
      "No sub-account of the admin key's account holds this Binance key: it is a master-account key, or it belongs to another account. rotateKey replaces sub-account keys only. Nothing was changed.",
      { step: 'describe' },
    );
  },
  async create(admin, request) {
    if (request.publicKey === undefined) unreadableField('publicKey', 'was not generated');
    const flags: Record<string, string> = {};
    for (const grant of request.grants) {
      if (grant === 'enableReading') continue;
      const flag = CREATE_FLAGS[grant];
      if (flag === undefined) {
        throw new KeyRotationError(
          'binance',
          'unknown-permission',
          `Binance's create call cannot grant ${grant}, which the key holds: rotate this key by hand. Nothing was created.`,
          { step: 'create' },
        );
      }
      flags[flag] = 'true';
    }
    const answer = await (admin as unknown as SignedRequest).request(
      'sub-account/subAccountApi',
      'sapiV2',
      'POST',
      {
        email: request.account,
        apiName: request.label,
        status: request.ips.length > 0 ? 2 : 1,
        ...(request.ips.length > 0 ? { ipAddress: request.ips.join(',') } : {}),
        ...flags,
        // ccxt sends sub-account parameters unencoded; a PEM needs encoding to survive the form.
        publicKey: encodeURIComponent(request.publicKey),
      },
    );
    if (!isRecord(answer)) unreadableField('(the whole body)', 'is not a JSON object');
    return { apiKey: text(answer, 'apiKey', 'apiKey') };
  },
  async list(admin, account) {
    // "Query Sub-account API Key": `{ total, rows: [{ apikey, apiName, ... }] }`, `apikey` in lower
    // case, pages of at most 100. No Binance documentation page shows this answer; the shape is the
    // example of Binance's connector generated from its API specification (__fixtures__/README.md).
    // Anything else is refused, before any key is deleted.
    const answer = await (admin as unknown as SignedRequest).request(
      'sub-account/subAccountApi',
      'sapi',
      'GET',
      { email: account, page: 1, size: LIST_PAGE_SIZE },
    );
    if (!isRecord(answer)) unreadableField('(the whole body)', 'is not a JSON object');
    const { rows, total } = answer;
    if (!Array.isArray(rows)) unreadableField('rows', 'is missing or not a list');
    if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) {
      unreadableField('total', 'is missing or not a whole number');
    }
    // A second page would hold keys this list does not see: refuse rather than miss one.
    if (total > rows.length)
      unreadableField('total', `counts more keys than the ${rows.length} listed`);
    return rows.map((row: unknown, index) => {
      if (!isRecord(row)) unreadableField(`rows.${index}`, 'is not an object');
      return {
        apiKey: text(row, 'apikey', `rows.${index}.apikey`),
        label: typeof row.apiName === 'string' ? row.apiName : '',
      };
    });
  },
  async remove(admin, account, apiKey) {
    await (admin as unknown as SignedRequest).request(
      'sub-account/subAccountApi',
      'sapi',
      'DELETE',
      {
        email: account,
        subAccountApiKey: apiKey,
      },
    );
  },
};
