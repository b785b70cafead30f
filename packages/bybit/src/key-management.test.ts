import { readFileSync } from 'node:fs';
import { getCredentials } from '@exkeys/credentials';
import { isUnreadableField } from '@exkeys/credentials/exchange';
import { startSandbox } from '@exkeys/sandbox';
import type { bybit } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { createBybitClient } from './index.js';
import { BYBIT_KEY_MANAGEMENT } from './key-management.js';

// Documented response examples (see __fixtures__/README.md for the pages).
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
const LIST = fixture('sub-apikeys.json');
const CREATE = fixture('create-sub-api.json');
const DELETE = fixture('delete-sub-api.json');

/** A client whose implicit methods answer `body`: only the reader is under test here. */
function answering(body: unknown): bybit {
  const call = async () => body;
  return {
    privateGetV5UserSubApikeys: call,
    privatePostV5UserCreateSubApi: call,
    privatePostV5UserDeleteSubApi: call,
  } as unknown as bybit;
}

const REQUEST = {
  account: '100400345',
  grants: ['Spot.SpotTrade'],
  ips: ['127.0.0.1'],
  label: 'exkeys-x-1',
};

describe('the Bybit key manager reads the documented answers', () => {
  it('lists, creates and deletes from the documentation examples', async () => {
    expect(await BYBIT_KEY_MANAGEMENT.list(answering(LIST), '100400345')).toEqual([
      { apiKey: 'XXXXXX', label: 'UTA' },
    ]);
    expect(await BYBIT_KEY_MANAGEMENT.create(answering(CREATE), REQUEST)).toEqual({
      apiKey: 'xxxxx',
      apiSecret: 'xxxxxxxx',
    });
    await expect(
      BYBIT_KEY_MANAGEMENT.remove(answering(DELETE), '100400345', 'XXXXXX'),
    ).resolves.toBeUndefined();
  });

  it('fails closed on answers it cannot read, naming the field', async () => {
    const cases: Array<[Promise<unknown>, string]> = [
      [
        BYBIT_KEY_MANAGEMENT.list(answering({ ...LIST, result: { result: [{ note: 'x' }] } }), '1'),
        'result.result.0.apiKey',
      ],
      [
        BYBIT_KEY_MANAGEMENT.create(answering({ ...CREATE, result: { apiKey: 'k' } }), REQUEST),
        'result.secret',
      ],
      [BYBIT_KEY_MANAGEMENT.remove(answering({ retCode: 0 }), '1', 'k'), 'result'],
    ];
    for (const [promise, field] of cases) {
      const error = await promise.catch((e: unknown) => e);
      expect(isUnreadableField(error), String(error)).toBe(true);
      expect((error as { field: string }).field).toBe(field);
    }
  });

  it('the sandbox answers in the documented shapes', async () => {
    const sandbox = await startSandbox({
      keys: [
        {
          exchange: 'bybit',
          apiKey: 'CANARYadminKEY0001',
          apiSecret: 'CANARYadminSECRETbybit0000000000000',
          nativePermissions: { Wallet: ['AccountTransfer'] },
        },
        {
          exchange: 'bybit',
          apiKey: 'CANARYbotKEY000001',
          apiSecret: 'CANARYbotSECRETbybit000000000000000',
          subAccount: '100400345',
        },
      ],
    });
    try {
      const admin = await createBybitClient(
        getCredentials('bybit', {
          env: {
            BYBIT_API_KEY: 'CANARYadminKEY0001',
            BYBIT_API_SECRET: 'CANARYadminSECRETbybit0000000000000',
          },
        }),
        { baseUrl: sandbox.url },
      );
      const shape = (value: unknown) => Object.keys(value as object).sort();
      const created = (await admin.privatePostV5UserCreateSubApi({
        subuid: 100400345,
        readOnly: 0,
        permissions: { Spot: ['SpotTrade'] },
        ips: '127.0.0.1',
      })) as { result: unknown };
      expect(shape(created)).toEqual(shape(CREATE));
      expect(shape(created.result)).toEqual(shape(CREATE.result));
      const listed = (await admin.privateGetV5UserSubApikeys({ subMemberId: '100400345' })) as {
        result: { result: unknown[] };
      };
      const documented = (LIST.result as { result: unknown[] }).result[0];
      expect(listed.result.result).toHaveLength(2);
      expect(shape(listed.result.result[0])).toEqual(shape(documented));
      expect(shape(listed.result)).toEqual(shape(LIST.result));
    } finally {
      await sandbox.close();
    }
  });
});
