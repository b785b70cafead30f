import { readFileSync } from 'node:fs';
import { getCredentials, KeyRotationError } from '@exkeys/credentials';
import { isUnreadableField } from '@exkeys/credentials/exchange';
import { startSandbox } from '@exkeys/sandbox';
import type { okx } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { createOkxClient } from './index.js';
import { OKX_KEY_MANAGEMENT } from './key-management.js';

// Documented response examples (see __fixtures__/README.md for the sections of
// https://www.okx.com/docs-v5/en/ they come from).
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
const CONFIG = fixture('account-config.json');
const SUB_LIST = fixture('subaccount-list.json');
const CREATE = fixture('create-subaccount-apikey.json');
const QUERY = fixture('query-subaccount-apikey.json');
const MODIFY = fixture('modify-subaccount-apikey.json');
const DELETE = fixture('delete-subaccount-apikey.json');

const rows = (body: Record<string, unknown>) => body.data as Record<string, unknown>[];
const firstRow = (body: Record<string, unknown>) => rows(body)[0] as Record<string, unknown>;

/** A client whose implicit methods answer `body`: only the reader is under test here. */
function answering(body: unknown): okx {
  const call = async () => body;
  return {
    privateGetAccountConfig: call,
    privateGetUsersSubaccountList: call,
    privatePostUsersSubaccountApikey: call,
    privateGetUsersSubaccountApikey: call,
    privatePostUsersSubaccountDeleteApikey: call,
  } as unknown as okx;
}

/** The documented account config, as the sub-account `uid` of a master `mainUid` would show it. */
function subAccountConfig(uid: string): Record<string, unknown> {
  return { ...CONFIG, data: [{ ...firstRow(CONFIG), uid }] };
}

const REQUEST = {
  account: 'test-1',
  grants: ['read_only', 'trade'],
  ips: ['1.1.1.1', '2.2.2.2'],
  label: 'v5',
  passphrase: 'Canary-Pass-1',
};

describe('the OKX key manager reads the documented answers', () => {
  it('describes, creates, lists and deletes from the documentation examples', async () => {
    // The documented examples mask the uid ("3400***********7413"); the documented config of
    // the master account is given that uid, so that it reads as one of the sub-account's keys.
    const documentedUid = String(firstRow(SUB_LIST).uid);
    const described = await OKX_KEY_MANAGEMENT.describe(
      {
        bot: answering(subAccountConfig(documentedUid)),
        admin: answering(SUB_LIST),
      },
      'bot-key',
    );
    expect(described.account).toBe('D456DDDL');
    expect(described.ips).toEqual([]);
    expect(described.label).toBe('v5 test');
    expect(await OKX_KEY_MANAGEMENT.create(answering(CREATE), REQUEST)).toEqual({
      apiKey: '******',
      apiSecret: '******',
    });
    expect(await OKX_KEY_MANAGEMENT.list(answering(QUERY), 'test-1')).toEqual([
      { apiKey: '******', label: 'v5' },
      { apiKey: '******', label: 'v5.1' },
    ]);
    await expect(
      OKX_KEY_MANAGEMENT.remove(answering(DELETE), 'test00001', '******'),
    ).resolves.toBeUndefined();
  });

  it('refuses the documented config of a master key and a sub-account the list does not hold', async () => {
    // Control: the unchanged documented config is the master account's (uid equals mainUid).
    const master = await OKX_KEY_MANAGEMENT.describe(
      {
        bot: answering(CONFIG),
        admin: answering(SUB_LIST),
      },
      'bot-key',
    ).catch((e: unknown) => e);
    expect(KeyRotationError.isInstance(master)).toBe(true);
    expect((master as KeyRotationError).reason).toBe('master-key');
    const stranger = await OKX_KEY_MANAGEMENT.describe(
      {
        bot: answering(subAccountConfig('1234567890')),
        admin: answering(SUB_LIST),
      },
      'bot-key',
    ).catch((e: unknown) => e);
    expect(KeyRotationError.isInstance(stranger)).toBe(true);
    expect((stranger as KeyRotationError).reason).toBe('admin-refused');
  });

  it('fails closed on answers it cannot read, naming the field', async () => {
    const cases: Array<[Promise<unknown>, string]> = [
      [
        OKX_KEY_MANAGEMENT.create(
          answering({ ...CREATE, data: [{ ...firstRow(CREATE), secretKey: undefined }] }),
          REQUEST,
        ),
        'data.0.secretKey',
      ],
      [
        OKX_KEY_MANAGEMENT.list(answering({ ...QUERY, data: [{ label: 'v5' }] }), 'test-1'),
        'data.0.apiKey',
      ],
      [OKX_KEY_MANAGEMENT.list(answering({ ...QUERY, code: '50120' }), 'test-1'), 'code'],
      [OKX_KEY_MANAGEMENT.remove(answering({ code: '0', msg: '' }), 'test00001', 'k'), 'data'],
    ];
    for (const [promise, field] of cases) {
      const error = await promise.catch((e: unknown) => e);
      expect(isUnreadableField(error), String(error)).toBe(true);
      expect((error as { field: string }).field).toBe(field);
    }
  });

  it('the sandbox answers in the documented shapes (field names and types)', async () => {
    const admin = {
      key: 'ca0a0002-0000-4000-8000-00000000ad02',
      secret: 'CA0A0002ADMIN0000000000000000000',
      passphrase: 'CanaryAdmin-2',
    };
    const sandbox = await startSandbox({
      keys: [
        {
          exchange: 'okx',
          apiKey: admin.key,
          apiSecret: admin.secret,
          passphrase: admin.passphrase,
          nativePermissions: 'read_only,trade',
          ips: ['127.0.0.1'],
        },
        {
          exchange: 'okx',
          apiKey: 'ca0b0002-0000-4000-8000-00000000b002',
          apiSecret: 'CA0B0002BOT000000000000000000000',
          passphrase: 'CanaryBot-2',
          subAccount: 'gridbot02',
          nativePermissions: 'read_only,trade',
          ips: ['127.0.0.1'],
        },
      ],
    });
    try {
      const client = await createOkxClient(
        getCredentials('okx', {
          env: {
            OKX_API_KEY: admin.key,
            OKX_API_SECRET: admin.secret,
            OKX_API_PASSPHRASE: admin.passphrase,
          },
        }),
        { baseUrl: sandbox.url },
      );
      /** Field names with the JSON type of each value. */
      const shape = (value: unknown) =>
        Object.entries(value as object)
          .map(([k, v]) => `${k}:${Array.isArray(v) ? 'array' : typeof v}`)
          .sort();
      const same = (answer: unknown, documented: Record<string, unknown>) => {
        const body = answer as Record<string, unknown>;
        expect(shape(body)).toEqual(shape(documented));
        expect(rows(body).length).toBeGreaterThan(0);
        for (const row of rows(body)) expect(shape(row)).toEqual(shape(firstRow(documented)));
      };
      same(await client.privateGetUsersSubaccountList({ limit: '100' }), SUB_LIST);
      const created = (await client.privatePostUsersSubaccountApikey({
        subAcct: 'gridbot02',
        label: 'exkeys-2',
        passphrase: 'Canary-Pass-2',
        perm: 'read_only,trade',
        ip: '127.0.0.1',
      })) as Record<string, unknown>;
      same(created, CREATE);
      const listed = (await client.privateGetUsersSubaccountApikey({
        subAcct: 'gridbot02',
      })) as Record<string, unknown>;
      expect(rows(listed)).toHaveLength(2);
      same(listed, QUERY);
      // modify-apikey answers the query fields plus subAcct; rotateKey does not call it.
      expect(shape(firstRow(MODIFY))).toEqual([...shape(firstRow(QUERY)), 'subAcct:string'].sort());
      same(
        await client.privatePostUsersSubaccountDeleteApikey({
          subAcct: 'gridbot02',
          apiKey: String(firstRow(created).apiKey),
        }),
        DELETE,
      );
    } finally {
      await sandbox.close();
    }
  });
});
