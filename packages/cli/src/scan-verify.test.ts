import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FoundValues } from './found-values.js';
import { pairFindings, verifyHost, verifyWarning } from './scan-verify.js';
import { type ScanLine, scanLines } from './scanner.js';

// Canary values of the exchanges' shapes, random-looking so the rules find them.
const OKX = [
  {
    key: '3f6a9c2e-7b14-4d8a-9e5f-1c0b2a4d6e8f',
    secret: 'C4A7E1B9D3F5082A6C4E9B1D7F3A5C02',
    pass: 'CanaryPassOne-1',
  },
  {
    key: '8e2d4b6a-1c3f-4a5e-8d7c-9b0a1f2e3d4c',
    secret: '9B3D5F7A1C2E4068ACE1B3D5F7092C4E',
    pass: 'CanaryPassTwo-2',
  },
];
const BYBIT_KEY = 'CANby7Qx2Lm9Zr4Tk8';
const BYBIT_SECRET = 'CANARYbybitSECRET7Qx2Lm9Zr4Tk8Wn3Vb6';

function scan(text: string, file = 'config.env') {
  const found = new FoundValues();
  const lines: ScanLine[] = text
    .split('\n')
    .map((line, at) => ({ text: line, number: at + 1, report: true }));
  return { findings: scanLines(lines, { file }, [], found), found };
}

describe('pairFindings', () => {
  it('pairs each OKX key with its own secret and passphrase in KEY/SECRET/PASSPHRASE blocks', () => {
    const text = OKX.map(
      (k, at) =>
        `OKX_P${at}_API_KEY=${k.key}\nOKX_P${at}_API_SECRET=${k.secret}\nOKX_P${at}_API_PASSPHRASE=${k.pass}`,
    ).join('\n');
    const { findings, found } = scan(text);

    const { candidates, unpaired } = pairFindings(findings, found);

    expect(unpaired.size).toBe(0);
    expect(candidates.map((c) => [c.orders, c.passphrase])).toEqual(
      OKX.map((k) => [[[k.key, k.secret]], k.pass]),
    );
  });

  it('takes the nearest secret; a key without one, a lone secret and an OKX pair without passphrase are unpaired', () => {
    const text = [
      '// bybit',
      `apiKey: '${BYBIT_KEY}',`,
      `secret: '${BYBIT_SECRET}',`,
      '',
      `okx = { key: '${OKX[0]?.key}', secret: '${OKX[0]?.secret}' }`,
    ].join('\n');
    const { findings, found } = scan(text);

    const { candidates, unpaired } = pairFindings(findings, found);

    expect(candidates.map((c) => [c.exchange, c.orders])).toEqual([
      ['bybit', [[BYBIT_KEY, BYBIT_SECRET]]],
    ]);
    expect([...unpaired.values()]).toEqual([
      'no okx passphrase assignment in the same file',
      'no okx passphrase assignment in the same file',
    ]);
    const lonely = scan(`// bybit\nconst k = '${BYBIT_KEY}';`);
    expect([...pairFindings(lonely.findings, lonely.found).unpaired.values()]).toEqual([
      'no bybit secret in the same file',
    ]);
  });

  it('Binance values (one shape for key and secret) pair in line order, both orders tried', () => {
    const fill = (prefix: string) =>
      (prefix + '7Qx2Lm9Zr4Tk8Wn3Vb6Hy5Jd1Pq'.repeat(3)).slice(0, 64);
    const [a, b] = [fill('CANbnKEY'), fill('CANARYbinanceSECRET')];
    const { findings, found } = scan(`# binance\nkey=${a}\nsecret=${b}`);

    const { candidates } = pairFindings(findings, found);

    expect(candidates.map((c) => c.orders)).toEqual([
      [
        [a, b],
        [b, a],
      ],
    ]);
  });

  it('never sends a value kept in FoundValues to a log: JSON and inspect show nothing', () => {
    const { findings, found } = scan(`// bybit\nk='${BYBIT_KEY}'\ns='${BYBIT_SECRET}'`);
    expect(findings.length).toBe(2);
    expect(found.valueOf(findings[1] as (typeof findings)[number])).toBe(BYBIT_SECRET);
    const shown = JSON.stringify({ found, findings }) + inspect(found, { depth: 5 });
    expect(shown).toContain('FoundValues');
    expect(shown).not.toContain(BYBIT_SECRET.slice(0, 12));
    expect(shown).not.toContain(BYBIT_KEY.slice(0, 7));
  });
});

describe('the --verify warning', () => {
  it('names the host each exchange is sent to, per environment', () => {
    expect(verifyHost('bybit', {})).toBe('api.bybit.com');
    expect(verifyHost('bybit', { testnet: true })).toBe('api-testnet.bybit.com');
    expect(verifyHost('binance', { demo: true })).toBe('demo-api.binance.com');
    expect(verifyHost('okx', { region: 'eea' })).toBe('eea.okx.com');
    expect(verifyHost('okx', { baseUrl: 'http://127.0.0.1:8799' })).toBe('127.0.0.1:8799');
    expect(verifyWarning(['bybit', 'okx'], {})).toContain(
      'bybit → api.bybit.com, okx → www.okx.com',
    );
  });
});
