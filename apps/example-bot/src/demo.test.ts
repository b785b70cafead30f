import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { demoKeys, demoSubAccountKeys } from '@exkeys/sandbox';
import { describe, expect, it } from 'vitest';
import { ROTATED_KEYS, runDemo } from './demo.js';

const keys = [...demoKeys(), ...Object.values(ROTATED_KEYS), ...demoSubAccountKeys()];
const secrets = keys.flatMap((key) => [key.apiSecret, key.passphrase ?? key.apiSecret]);

function assertNoSecrets(text: string) {
  for (const secret of secrets) expect(text).not.toContain(secret);
  for (const key of keys) expect(text).not.toContain(key.apiKey.slice(0, 7));
}

describe('the offline demo', () => {
  it('trades with each safe key, refuses each withdraw key and the P2P key, and never prints a secret', async () => {
    const lines: string[] = [];
    const rows = await runDemo((line) => lines.push(line));
    const output = lines.join('\n');
    expect(rows.map((r) => `${r.exchange}/${r.profile}:${r.ok}`)).toEqual([
      'bybit/default:true',
      'binance/default:true',
      'okx/default:true',
      'coinbase/default:true',
      'kucoin/default:true',
      'kraken/default:true',
      'bybit/WITHDRAW:true',
      'bybit/PAYOUT:true',
      'binance/WITHDRAW:true',
      'okx/WITHDRAW:true',
      'coinbase/WITHDRAW:true',
      'kucoin/WITHDRAW:true',
      'kraken/WITHDRAW:true',
      'bybit/default:true',
      'bybit/BOT:true',
    ]);
    // One safe key per exchange, then each one's withdraw key and Bybit's P2P key, then the rotation.
    const exchanges = new Set(rows.map((r) => r.exchange)).size;
    const refused = rows.slice(exchanges, 2 * exchanges + 1);
    expect(rows.slice(0, exchanges).every((r) => /placed and cancelled/.test(r.outcome))).toBe(
      true,
    );
    expect(refused.every((r) => r.outcome === 'refused: withdraw-enabled')).toBe(true);
    expect(output).toMatch(/✗ \[kraken\/WITHDRAW exkeys…\] Refusing .*withdraw-funds/);
    // The rotation: the same bot run trades with the old key, then with the new one.
    expect(rows[2 * exchanges + 1]?.outcome).toBe(
      'kept trading across a rotation: exkeys… → rotDEM…',
    );
    expect(output).toMatch(/\[bybit\/default exkeys…\] key rotated: now signing with rotDEM…/);
    expect(output).toMatch(/\[bybit\/default rotDEM…\] cancelled order/);
    expect(output).toMatch(
      /✗ \[bybit\/WITHDRAW exkeys…\] Refusing .* WITHDRAW funds \(Wallet\.Withdraw\): revoke it now/,
    );
    // P2P moves funds to other users without a withdraw permission: refused all the same.
    expect(output).toMatch(
      /✗ \[bybit\/PAYOUT exkeys…\] Refusing .* PAY OUT funds to other parties \(FiatP2P\.FiatP2POrder, FiatP2P\.Advertising\)/,
    );
    expect(output).toMatch(
      /✗ \[kucoin\/WITHDRAW dea000…\] Refusing .* WITHDRAW funds \(Withdrawal\): revoke it now/,
    );
    // The sub-account key, rotated through Bybit's key API; the old key is refused afterwards.
    expect(rows[2 * exchanges + 2]?.outcome).toBe(
      'rotated through the key API: exkeys… → SANDBO…; old key refused (invalid-key)',
    );
    expect(output).toMatch(/✔ Bybit refuses the old key exkeys…/);
    expect(rows.every((r) => /^[\w-]{1,6}…$/.test(r.key))).toBe(true);
    expect(output).toMatch(/key verified: read=true trade=true withdraw=false/);
    assertNoSecrets(output);
  });

  it('runs as `node dist/demo.js` and exits 0 (what `pnpm demo` runs)', (ctx) => {
    const script = fileURLToPath(new URL('../dist/demo.js', import.meta.url));
    if (!existsSync(script))
      ctx.skip('skipped: dist/demo.js is not built; `pnpm test` builds it first');
    const result = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Demo finished: every key behaved as expected/);
    assertNoSecrets(result.stdout);
  });
});
