/**
 * The OKX permission table and the reader of `GET /api/v5/account/config`: every entry of `data`
 * is read, and each `perm` token is classified against the documented tokens.
 * @module
 */

import type { PermissionGrant } from '@exkeys/credentials';
import {
  classifyPermission,
  type KeyFacts,
  type PermissionTable,
  summarizeGrants,
  unreadableField,
} from '@exkeys/credentials/exchange';

const CONFIG_DOC =
  'https://www.okx.com/docs-v5/en/#trading-account-rest-api-get-account-configuration';

/**
 * Every `perm` token OKX documents for `GET /api/v5/account/config` ("The permission of the
 * current requesting API key or Access token": `read_only`, `trade`, `withdraw`). Keys are lower
 * case: tokens match case-insensitively.
 */
export const OKX_PERMISSIONS: PermissionTable = {
  read_only: { class: 'read', doc: CONFIG_DOC },
  trade: { class: 'trade', doc: CONFIG_DOC },
  withdraw: { class: 'withdraw', doc: CONFIG_DOC },
};

/** How an empty `perm` token (`read_only,,trade`, a trailing comma) is named in a report. */
export const EMPTY_TOKEN = '(empty token)';

/**
 * Splits a `perm` string into classified grants: on `,` only, each token trimmed and matched
 * case-insensitively. Any other token, including one joined by another separator
 * (`read_only;withdraw`) and an empty token, is `unknown`: exkeys cannot tell what it allows.
 */
export function classifyPerm(perm: string): PermissionGrant[] {
  return perm.split(',').map((raw) => {
    const token = raw.trim();
    if (token === '') return { name: EMPTY_TOKEN, class: 'unknown' };
    return classifyPermission(OKX_PERMISSIONS, token, (name) => name.toLowerCase());
  });
}

/**
 * Reads `GET /api/v5/account/config`. `data` must be a non-empty list of objects, each with a
 * non-empty string `perm`; `ip`, when present, must be a string. The key's grants are those of
 * every entry (the entry granting most counts), and it is IP-restricted only when every entry
 * lists an IP.
 * @throws via `unreadableField` for a missing or malformed field (never quoting its value).
 */
export function readAccountConfig(response: unknown): KeyFacts {
  const body = objectOrNull(response);
  if (body === null) unreadableField('(the whole body)', 'is not a JSON object');
  const { data } = body;
  if (!Array.isArray(data)) unreadableField('data', 'is missing or not a list');
  if (data.length === 0) unreadableField('data', 'is an empty list');
  const grants = new Map<string, PermissionGrant>();
  let ipRestricted = true;
  data.forEach((item: unknown, index) => {
    const entry = objectOrNull(item);
    if (entry === null) unreadableField(`data.${index}`, 'is not an object');
    const { perm, ip } = entry;
    if (typeof perm !== 'string')
      unreadableField(`data.${index}.perm`, 'is missing or not a string');
    if (perm.trim() === '') unreadableField(`data.${index}.perm`, 'is empty');
    if (ip !== undefined && typeof ip !== 'string') {
      unreadableField(`data.${index}.ip`, 'is not a string');
    }
    if (typeof ip !== 'string' || ip.trim() === '') ipRestricted = false;
    for (const grant of classifyPerm(perm)) grants.set(`${grant.class}:${grant.name}`, grant);
  });
  return {
    permissions: summarizeGrants([...grants.values()]),
    ipRestricted,
    expiresAt: null,
  };
}

/** The parts of a ccxt `okx` client the key-information call uses. */
interface ConfigClient {
  privateGetAccountConfig(): Promise<unknown>;
  last_json_response?: unknown;
}

/**
 * Calls `GET /api/v5/account/config`. ccxt rejects an answer without OKX's `code` envelope as a
 * bare `ExchangeError`; that answer is unreadable, and is reported so (naming the field, never the
 * body). Answers with a `code` go on to the error table.
 */
export async function callAccountConfig(client: ConfigClient): Promise<unknown> {
  try {
    return await client.privateGetAccountConfig();
  } catch (error) {
    const body: unknown = client.last_json_response;
    if (body !== undefined) {
      const envelope = objectOrNull(body);
      if (envelope === null) unreadableField('(the whole body)', 'is not a JSON object');
      if (typeof envelope.code !== 'string') unreadableField('code', 'is missing or not a string');
    }
    throw error;
  }
}

function objectOrNull(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
