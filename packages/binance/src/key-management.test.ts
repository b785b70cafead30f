import { readFileSync } from 'node:fs';
import { getCredentials } from '@exkeys/credentials';
import { isUnreadableField } from '@exkeys/credentials/exchange';
import { startSandbox } from '@exkeys/sandbox';
import type { binance } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { createBinanceClient } from './index.js';
import { BINANCE_KEY_MANAGEMENT } from './key-management.js';

// Documented response examples (see __fixtures__/README.md for the pages).
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
const CREATE = fixture('create-sub-account-api-key.json');
const LIST = fixture('sub-account-list.json');
const IP = fixture('ip-restriction.json');
const RESTRICTIONS = fixture('api-restrictions.json');
const KEYS = fixture('query-sub-account-api-key.json');
const DELETED = fixture('delete-sub-account-api-key.json');

/** A client whose signed `request` answers `body`, recording what it was sent. */
function signedAnswering(body: unknown, sent: Array<Record<string, unknown>> = []): binance {
  return {
    request: async (_p: string, _a: string, _m: string, params: Record<string, unknown>) => {
      sent.push(params);
      return body;
    },
  } as unknown as binance;
}

const REQUEST = {
  account: 'testsub@gmail.com',
  grants: ['enableReading', 'enableSpotAndMarginTrading'],
  ips: ['192.168.1.1'],
  label: 'exkeys-x-1',
  publicKey: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----',
};

describe('the Binance key manager reads the documented answers', () => {
  it('describes a key from the flags, the sub-account list and its IP restriction', async () => {
    const calls: Array<[string, Record<string, unknown>]> = [];
    const record = (name: string, body: unknown) => async (params: Record<string, unknown>) => {
      calls.push([name, params]);
      return body;
    };
    const bot = { sapiGetAccountApiRestrictions: record('restrictions', RESTRICTIONS) };
    const admin = {
      sapiGetSubAccountList: record('list', LIST),
      sapiGetSubAccountSubAccountApiIpRestriction: record('ip', IP),
    };
    const key = await BINANCE_KEY_MANAGEMENT.describe(
      { bot: bot as unknown as binance, admin: admin as unknown as binance },
      'k5V49ldtn4tszj6W3hystegdfvmGbqDzjmkCtpTvC0G74WhK7yd4rfCTo4lShf',
    );
    expect(key.account).toBe('testsub@gmail.com');
    expect(key.ips).toEqual(['69.210.67.14', '8.34.21.10']);
    expect(key.grants.length).toBeGreaterThan(0);
    expect(calls.at(-1)?.[1]).toEqual({
      email: 'testsub@gmail.com',
      subAccountApiKey: 'k5V49ldtn4tszj6W3hystegdfvmGbqDzjmkCtpTvC0G74WhK7yd4rfCTo4lShf',
    });
  });

  it('creates from the documented answer, sending only the public key, and fails closed', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const answering = (body: unknown) =>
      ({
        request: async (_p: string, _a: string, _m: string, params: Record<string, unknown>) => {
          sent.push(params);
          return body;
        },
      }) as unknown as binance;
    expect(await BINANCE_KEY_MANAGEMENT.create(answering(CREATE), REQUEST)).toEqual({
      apiKey: CREATE.apiKey,
    });
    expect(sent[0]).toMatchObject({ status: 2, ipAddress: '192.168.1.1', canTrade: 'true' });
    expect(decodeURIComponent(String(sent[0]?.publicKey))).toBe(REQUEST.publicKey);
    expect(JSON.stringify(sent)).not.toContain('PRIVATE');
    const error = await BINANCE_KEY_MANAGEMENT.create(answering({ apiName: 'x' }), REQUEST).catch(
      (e: unknown) => e,
    );
    expect(isUnreadableField(error)).toBe(true);
    expect((error as { field: string }).field).toBe('apiKey');
  });

  it('lists and deletes from the documented answers, and fails closed on others', async () => {
    const sent: Array<Record<string, unknown>> = [];
    expect(await BINANCE_KEY_MANAGEMENT.list(signedAnswering(KEYS, sent), '123@test.com')).toEqual([
      { apiKey: 'k5V49ldtn4tszj6W3hystegdfvmGbqDzjmkCtpTvC0G74WhK7yd4rfCTo4lShf', label: 'myKey' },
    ]);
    expect(sent[0]).toEqual({ email: '123@test.com', page: 1, size: 100 });
    await expect(
      BINANCE_KEY_MANAGEMENT.remove(signedAnswering(DELETED), '123@test.com', 'k'),
    ).resolves.toBeUndefined();
    const row = (KEYS.rows as Record<string, unknown>[])[0];
    const cases: Array<[unknown, string]> = [
      // The shape exkeys guessed before the documented example was found: a bare list.
      [KEYS.rows, '(the whole body)'],
      [{ total: 1 }, 'rows'],
      [{ rows: KEYS.rows }, 'total'],
      [{ total: 2, rows: KEYS.rows }, 'total'],
      [{ total: 1, rows: [{ ...row, apikey: undefined, apiKey: row?.apikey }] }, 'rows.0.apikey'],
    ];
    for (const [body, field] of cases) {
      const error = await BINANCE_KEY_MANAGEMENT.list(signedAnswering(body), 'x').catch(
        (e: unknown) => e,
      );
      expect(isUnreadableField(error), String(error)).toBe(true);
      expect((error as { field: string }).field).toBe(field);
    }
  });

  it('the sandbox answers in the documented shapes', async () => {
    const adminEnv = {
      BINANCE_API_KEY: 'CANARYadminKEYbinance'.padEnd(64, '0'),
      BINANCE_API_SECRET: 'CANARYadminSECRETbinance'.padEnd(64, 'Q'),
    };
    const sandbox = await startSandbox({
      keys: [
        {
          exchange: 'binance',
          apiKey: adminEnv.BINANCE_API_KEY,
          apiSecret: adminEnv.BINANCE_API_SECRET,
          ips: ['127.0.0.1'],
        },
        {
          exchange: 'binance',
          apiKey: 'CANARYbotKEYbinance'.padEnd(64, '0'),
          apiSecret: 'CANARYbotSECRETbinance'.padEnd(64, 'Z'),
          subAccount: 'testsub@gmail.com',
          ips: ['127.0.0.1'],
        },
      ],
    });
    try {
      const admin = await createBinanceClient(getCredentials('binance', { env: adminEnv }), {
        baseUrl: sandbox.url,
      });
      const shape = (value: unknown) => Object.keys(value as object).sort();
      const list = (await admin.sapiGetSubAccountList()) as { subAccounts: unknown[] };
      expect(shape(list)).toEqual(shape(LIST));
      expect(shape(list.subAccounts[0])).toEqual(shape((LIST.subAccounts as unknown[])[0]));
      const ip = await admin.sapiGetSubAccountSubAccountApiIpRestriction({
        email: 'testsub@gmail.com',
        subAccountApiKey: 'CANARYbotKEYbinance'.padEnd(64, '0'),
      });
      expect(shape(ip)).toEqual(shape(IP));
      const created = await (
        admin as unknown as {
          request(p: string, a: string, m: string, q: Record<string, unknown>): Promise<unknown>;
        }
      ).request('sub-account/subAccountApi', 'sapiV2', 'POST', {
        email: 'testsub@gmail.com',
        apiName: 'shape',
        status: 2,
        ipAddress: '127.0.0.1',
        canTrade: 'true',
      });
      expect(shape(created)).toEqual(shape(CREATE));
      /** Field names with the JSON type of each value. */
      const typed = (value: unknown) =>
        Object.entries(value as object)
          .map(([k, v]) => `${k}:${Array.isArray(v) ? 'array' : typeof v}`)
          .sort();
      const signed = admin as unknown as {
        request(p: string, a: string, m: string, q: Record<string, unknown>): Promise<unknown>;
      };
      const keys = (await signed.request('sub-account/subAccountApi', 'sapi', 'GET', {
        email: 'testsub@gmail.com',
      })) as { total: unknown; rows: unknown[] };
      expect(typed(keys)).toEqual(typed(KEYS));
      expect(keys.total).toBe(2);
      expect(keys.rows).toHaveLength(2);
      for (const row of keys.rows) {
        expect(typed(row)).toEqual(typed((KEYS.rows as unknown[])[0]));
      }
      const deleted = await signed.request('sub-account/subAccountApi', 'sapi', 'DELETE', {
        email: 'testsub@gmail.com',
        subAccountApiKey: (created as { apiKey: string }).apiKey,
      });
      expect(deleted).toEqual(DELETED);
    } finally {
      await sandbox.close();
    }
  });
});
