/**
 * Bybit's sub-account key API for `rotateKey`: the bot key reads itself (`GET /v5/user/query-api`),
 * the master key creates (`POST /v5/user/create-sub-api`), lists (`GET /v5/user/sub-apikeys`) and
 * deletes (`POST /v5/user/delete-sub-api` with `apikey`) sub-account keys. The master key needs
 * "Account Transfer", "Sub Member Transfer" or "Withdrawal" for these calls, which is why it lives
 * in an admin profile the bot never loads.
 * @see https://bybit-exchange.github.io/docs/v5/user/create-subuid-apikey
 * @see https://bybit-exchange.github.io/docs/v5/user/list-sub-apikeys
 * @see https://bybit-exchange.github.io/docs/v5/user/rm-sub-apikey
 * @module
 */
import { KeyRotationError } from '@exkeys/credentials';
import {
  type KeyManagementSpec,
  type ListedKey,
  unreadableField,
} from '@exkeys/credentials/exchange';
import type { bybit } from 'ccxt';
import { readGrants } from './key-info.js';
import { BYBIT_PERMISSIONS } from './permission-table.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `result` of a successful Bybit answer; anything else is unreadable. */
function resultOf(response: unknown): Record<string, unknown> {
  if (!isRecord(response)) unreadableField('(the whole body)', 'is not a JSON object');
  if (String(response.retCode) !== '0') unreadableField('retCode', 'is missing or not 0');
  if (!isRecord(response.result)) unreadableField('result', 'is missing or not an object');
  return response.result;
}

function text(record: Record<string, unknown>, field: string, path: string): string {
  const value = record[field];
  if (typeof value !== 'string' || value === '')
    unreadableField(path, 'is missing or not a string');
  return value;
}

/** A key's `ips`: `["*"]` (or none) means not bound. */
function readIps(value: unknown, path: string): string[] {
  const ips = value ?? [];
  if (!Array.isArray(ips) || ips.some((ip) => typeof ip !== 'string')) {
    unreadableField(path, 'is not a list of strings');
  }
  return (ips as string[]).filter((ip) => ip !== '*' && ip !== '');
}

/**
 * `Group.Value` names to the `permissions` object create-sub-api takes. `Derivatives` is left out:
 * Bybit documents it as deprecated there and adds it itself by account type (UTA or classic).
 */
function permissionsObject(grants: readonly string[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const name of grants) {
    const [group, value] = name.split('.', 2);
    if (!group || !value || group === 'Derivatives') continue;
    groups[group] = [...(groups[group] ?? []), value];
  }
  return groups;
}

/** Bybit's `readOnly`: 0 when any granted permission trades. */
function readOnlyFlag(grants: readonly string[]): 0 | 1 {
  return grants.some((name) => BYBIT_PERMISSIONS[name]?.class === 'trade') ? 0 : 1;
}

/** The key-management calls of Bybit v5, for `defineKeyManager`. */
export const BYBIT_KEY_MANAGEMENT: KeyManagementSpec<bybit> = {
  endpoints: {
    describe: 'GET /v5/user/query-api',
    create: 'POST /v5/user/create-sub-api',
    list: 'GET /v5/user/sub-apikeys',
    remove: 'POST /v5/user/delete-sub-api',
  },
  secret: 'exchange',
  async describe({ bot }) {
    const result = resultOf(await bot.privateGetV5UserQueryApi());
    if (result.isMaster !== false) {
      if (result.isMaster !== true) unreadableField('result.isMaster', 'is not true or false');
      throw new KeyRotationError(
        'bybit',
        'master-key',
        'This Bybit key belongs to the master account (isMaster: true). rotateKey replaces sub-account keys only, created by the master key in the admin profile: run the bot on a sub-account key. Nothing was changed.',
        { step: 'describe' },
      );
    }
    const uid = result.userID;
    if (!(typeof uid === 'number' || (typeof uid === 'string' && /^\d+$/.test(uid)))) {
      unreadableField('result.userID', 'is not a user id');
    }
    return {
      account: String(uid),
      grants: readGrants(result.permissions),
      ips: readIps(result.ips, 'result.ips'),
      label: typeof result.note === 'string' ? result.note : '',
    };
  },
  async create(admin, request) {
    const result = resultOf(
      await admin.privatePostV5UserCreateSubApi({
        subuid: Number(request.account),
        note: request.label,
        readOnly: readOnlyFlag(request.grants),
        permissions: permissionsObject(request.grants),
        // Without ips (or with "*") Bybit creates an unbound key that lapses after 90 days.
        ...(request.ips.length > 0 ? { ips: request.ips.join(',') } : {}),
      }),
    );
    return {
      apiKey: text(result, 'apiKey', 'result.apiKey'),
      apiSecret: text(result, 'secret', 'result.secret'),
    };
  },
  async list(admin, account) {
    const keys: ListedKey[] = [];
    let cursor = '';
    // Bybit pages the list 20 keys at a time; a sub-account holds at most 20 keys.
    for (let page = 0; page < 10; page++) {
      const result = resultOf(
        await admin.privateGetV5UserSubApikeys({
          subMemberId: account,
          limit: 20,
          ...(cursor ? { cursor } : {}),
        }),
      );
      const rows = result.result;
      if (!Array.isArray(rows)) unreadableField('result.result', 'is not a list');
      for (const [index, row] of rows.entries()) {
        if (!isRecord(row)) unreadableField(`result.result.${index}`, 'is not an object');
        keys.push({
          apiKey: text(row, 'apiKey', `result.result.${index}.apiKey`),
          label: typeof row.note === 'string' ? row.note : '',
        });
      }
      const next = result.nextPageCursor;
      if (typeof next !== 'string' || next === '') return keys;
      cursor = next;
    }
    return unreadableField('result.nextPageCursor', 'never ends');
  },
  async remove(admin, _account, apiKey) {
    resultOf(await admin.privatePostV5UserDeleteSubApi({ apikey: apiKey }));
  },
};
