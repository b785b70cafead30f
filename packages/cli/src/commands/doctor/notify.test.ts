import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoctorFinding } from '../../doctor-finding.js';
import { notification, parseNotifyUrl } from './notify.js';

const CANARY = 'CANARYSECRETnotify0Zq8Wm3Kx7Tn2Lp5Rv';

describe('notification', () => {
  it('redacts every store value from the payload, even one a message quotes by mistake', () => {
    const findings: DoctorFinding[] = [
      {
        id: 'valid.invalid',
        check: 'valid',
        status: 'fail',
        message: `bad value ${CANARY}`,
        fix: 'exkeys set bybit',
      },
      { id: 'shared.none', check: 'shared', status: 'pass', message: 'no key or secret is shared' },
    ];
    const payload = notification(
      findings,
      { BYBIT_API_SECRET: CANARY },
      new Date('2026-01-02T03:04:05Z'),
    );
    const body = JSON.stringify(payload);
    expect(body).toContain('bad value [redacted]');
    expect(body).not.toContain(CANARY.slice(0, 12));
    expect(payload).toMatchObject({
      schema: 'exkeys.doctor/1',
      ok: false,
      at: '2026-01-02T03:04:05.000Z',
      summary: { failures: 1, warnings: 0, passes: 1 },
    });
    expect(payload.text).toContain('✖ bad value [redacted]\n  fix: exkeys set bybit');
    expect(payload.text).not.toContain('no key or secret is shared');
  });
});

describe('parseNotifyUrl', () => {
  it('takes https anywhere and http on loopback only, never echoing the URL', () => {
    expect(parseNotifyUrl('https://hooks.slack.com/services/T/B/x').host).toBe('hooks.slack.com');
    expect(parseNotifyUrl('http://127.0.0.1:9/x').port).toBe('9');
    expect(() => parseNotifyUrl('http://example.com/tokenCANARY')).toThrow(/https URL/);
    expect(() => parseNotifyUrl('http://example.com/tokenCANARY')).not.toThrow(/tokenCANARY/);
    expect(() => parseNotifyUrl('https://user:pw@example.com/')).toThrow(/without user:password/);
    expect(() => parseNotifyUrl('not a url CANARY')).not.toThrow(/CANARY/);
  });

  it('reads EXKEYS_NOTIFY_URL from the environment, then from $CREDENTIALS_DIRECTORY, else asks for one', () => {
    expect(parseNotifyUrl(true, { EXKEYS_NOTIFY_URL: 'https://a.example/1' }).host).toBe(
      'a.example',
    );
    const dir = mkdtempSync(join(tmpdir(), 'exkeys-notify-'));
    try {
      writeFileSync(join(dir, 'EXKEYS_NOTIFY_URL'), 'https://b.example/2\n');
      expect(parseNotifyUrl(true, { CREDENTIALS_DIRECTORY: dir }).host).toBe('b.example');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => parseNotifyUrl(true, {})).toThrow(/EXKEYS_NOTIFY_URL/);
  });
});
