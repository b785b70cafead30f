/**
 * OKX's sub-account key API for `rotateKey`: the bot key reads itself
 * (`GET /api/v5/account/config`: `uid`, `perm`, `ip`), the master key finds the sub-account of
 * that `uid` (`GET /api/v5/users/subaccount/list`), then creates
 * (`POST /api/v5/users/subaccount/apikey`, with a passphrase chosen here), lists
 * (`GET /api/v5/users/subaccount/apikey`) and deletes (`POST /api/v5/users/subaccount/delete-apikey`)
 * the sub-account's keys. OKX requires a master key with the Trade permission, bound to IP addresses.
 * @see https://www.okx.com/docs-v5/en/#sub-account-rest-api-create-an-api-key-for-a-sub-account
 * @see https://www.okx.com/docs-v5/en/#sub-account-rest-api-query-the-api-key-of-a-sub-account
 * @see https://www.okx.com/docs-v5/en/#sub-account-rest-api-delete-the-api-key-of-sub-accounts
 * @see https://www.okx.com/docs-v5/en/#sub-account-rest-api-get-sub-account-list
 * @module
 */
import { KeyRotationError } from '@exkeys/credentials';
import { type KeyManagementSpec, unreadableField } from '@exkeys/credentials/exchange';
import type { okx } from 'ccxt';
import { callAccountConfig, classifyPerm } from './permissions.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `data` list of a successful OKX answer; anything else is unreadable. */
function dataOf(response: unknown): Record<string, unknown>[] {
  if (!isRecord(response)) unreadableField('(the whole body)', 'is not a JSON object');
  if (response.code !== '0') unreadableField('code', 'is missing or not "0"');
  const { data } = response;
  if (!Array.isArray(data)) unreadableField('data', 'is missing or not a list');
  return data.map((row, index) => {
    if (!isRecord(row)) unreadableField(`data.${index}`, 'is not an object');
    return row;
  });
}

function text(row: Record<string, unknown>, field: string, path: string): string {
  const value = row[field];
  if (typeof value !== 'string' || value === '')
    unreadableField(path, 'is missing or not a string');
  return value;
}

/** OKX's `ip`: a comma-separated list, `''` when not bound. */
function readIps(value: unknown, path: string): string[] {
  if (value === undefined || value === '') return [];
  if (typeof value !== 'string') unreadableField(path, 'is not a string');
  return value
    .split(',')
    .map((ip) => ip.trim())
    .filter((ip) => ip !== '');
}

/** The key-management calls of OKX v5, for `defineKeyManager`. */
export const OKX_KEY_MANAGEMENT: KeyManagementSpec<okx> = {
  endpoints: {
    describe: 'GET /api/v5/account/config',
    create: 'POST /api/v5/users/subaccount/apikey',
    list: 'GET /api/v5/users/subaccount/apikey',
    remove: 'POST /api/v5/users/subaccount/delete-apikey',
  },
  secret: 'exchange',
  passphrase: true,
  async describe({ bot, admin }) {
    const [config] = dataOf(await callAccountConfig(bot));
    if (config === undefined) unreadableField('data', 'is an empty list');
    const uid = text(config, 'uid', 'data.0.uid');
    const mainUid = text(config, 'mainUid', 'data.0.mainUid');
    if (uid === mainUid) {
      throw new KeyRotationError(
        'okx',
        'master-key',
        'This OKX key belongs to the master account (uid equals mainUid). rotateKey replaces sub-account keys only, created by the master key in the admin profile: run the bot on a sub-account key. Nothing was changed.',
        { step: 'describe' },
      );
    }
    const perm = text(config, 'perm', 'data.0.perm');
    const ips = readIps(config.ip, 'data.0.ip');
    const label = typeof config.label === 'string' ? config.label : '';
    const subAccounts = dataOf(await admin.privateGetUsersSubaccountList({ limit: '100' }));
    const own = subAccounts.find((row) => row.uid === uid);
    if (own === undefined) {
      throw new KeyRotationError(
        'okx',
        'admin-refused',
        "The OKX bot key's sub-account is not among the admin key's sub-accounts (GET /api/v5/users/subaccount/list): the admin profile must hold a key of the master account that owns it. Nothing was changed.",
        { step: 'describe' },
      );
    }
    return {
      account: text(own, 'subAcct', 'data.subAcct'),
      grants: classifyPerm(perm),
      ips,
      label,
    };
  },
  async create(admin, request) {
    if (request.passphrase === undefined) unreadableField('passphrase', 'was not chosen');
    const [created] = dataOf(
      await admin.privatePostUsersSubaccountApikey({
        subAcct: request.account,
        label: request.label,
        passphrase: request.passphrase,
        // OKX takes read_only and trade here; read_only is implied by trade.
        perm: request.grants.join(','),
        ...(request.ips.length > 0 ? { ip: request.ips.join(',') } : {}),
      }),
    );
    if (created === undefined) unreadableField('data', 'is an empty list');
    return {
      apiKey: text(created, 'apiKey', 'data.0.apiKey'),
      apiSecret: text(created, 'secretKey', 'data.0.secretKey'),
    };
  },
  async list(admin, account) {
    return dataOf(await admin.privateGetUsersSubaccountApikey({ subAcct: account })).map(
      (row, index) => ({
        apiKey: text(row, 'apiKey', `data.${index}.apiKey`),
        label: typeof row.label === 'string' ? row.label : '',
      }),
    );
  },
  async remove(admin, account, apiKey) {
    dataOf(await admin.privatePostUsersSubaccountDeleteApikey({ subAcct: account, apiKey }));
  },
};
