/**
 * `pnpm demo`: the whole exkeys path, offline. Starts the loopback sandbox exchange, saves demo keys
 * for Bybit, Binance, OKX, Coinbase, KuCoin and Kraken into a throwaway `.env` with `saveApiKeys`, runs the
 * example bot on each, shows the keys that can withdraw (and Bybit's P2P key, which can pay funds
 * out) being refused, rotates the first exchange's key while the bot keeps trading, rotates a
 * sub-account key through the exchange's key API (`rotateKey`, as `exkeys rotate --auto`) and shows
 * the old key refused, and prints a summary table.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ExkeysError,
  KeyVerificationError,
  loadApiKeys,
  maskKey,
  saveApiKeys,
  type UncheckedFact,
  UnsafeKeyError,
  updateApiKey,
} from '@exkeys/credentials';
import { rotateKey } from '@exkeys/credentials/exchange';
import {
  cdpKeySecret,
  demoKeys,
  demoSubAccountKeys,
  type SandboxKey,
  startSandbox,
} from '@exkeys/sandbox';
import { type BotResult, runBot } from './bot.js';
import { connect, EXCHANGES, type ExchangeId } from './exchanges.js';

/**
 * The keys the demo rotates to, one per exchange, shaped like the demo keys. The sandbox's keys are
 * fixed when it starts, so it knows these from the start. Their masked previews (`rotDEM…`,
 * `dea0ff…`) differ from the demo keys', so the log shows which key signed.
 */
export const ROTATED_KEYS: Readonly<Record<SandboxKey['exchange'], SandboxKey>> = {
  bybit: {
    exchange: 'bybit',
    apiKey: 'rotDEMOexkeys00002',
    apiSecret: 'rotDEMObybitNEXTsecretNotReal'.padEnd(36, '0'),
    permissions: { read: true, trade: true, withdraw: false },
  },
  binance: {
    exchange: 'binance',
    apiKey: 'rotDEMObinanceNEXTkey'.padEnd(64, '0'),
    apiSecret: 'rotDEMObinanceNEXTsecretNotReal'.padEnd(64, '0'),
    permissions: { read: true, trade: true, withdraw: false },
  },
  okx: {
    exchange: 'okx',
    apiKey: 'dea0ff01-0000-4000-8000-00000000e4e5',
    apiSecret: 'DEA0FF01'.padEnd(32, '0'),
    passphrase: 'exkeysDEMO-rotated-passphrase',
    permissions: { read: true, trade: true, withdraw: false },
  },
  kucoin: {
    exchange: 'kucoin',
    apiKey: 'dea0ff01'.padEnd(24, '0'),
    apiSecret: 'dea0ff01-0000-4000-8000-0000000c0c01',
    passphrase: 'exkeysDEMO-rotated-passphrase',
    permissions: { read: true, trade: true, withdraw: false },
  },
  // An Ed25519 CDP key: a bare key id and a base64 secret (seed, then public key).
  coinbase: {
    exchange: 'coinbase',
    apiKey: 'dea0ff01-0000-4000-8000-00000000c0b1',
    apiSecret: cdpKeySecret('rotDEMOcoinbaseNEXTsecretNotReal'),
    permissions: { read: true, trade: true, withdraw: false },
  },
  kraken: {
    exchange: 'kraken',
    apiKey: 'rotDEMOkrakenNEXTkey'.padEnd(56, '0'),
    apiSecret: 'rotDEMOkrakenNEXTprivateKeyNotReal'.padEnd(88, '0'),
    permissions: { read: true, trade: true, withdraw: false },
  },
};

/**
 * What the demo accepts although the exchange does not report it: Coinbase reports no IP
 * allowlist. A real bot accepts it only after checking the key on Coinbase's page
 * (`EXKEYS_ACCEPT_UNCHECKED=ip-whitelist`, CLI `--accept-unchecked ip-whitelist`).
 */
export const DEMO_ACCEPT_UNCHECKED: Readonly<Record<string, readonly UncheckedFact[]>> = {
  coinbase: ['ip-whitelist'],
};

/** One line of the demo's summary. */
export interface DemoRow {
  exchange: ExchangeId;
  profile: string;
  key: string;
  outcome: string;
  ok: boolean;
}

/** Runs the demo, printing through `log`. Resolves to the summary rows; every row is `ok` on success. */
export async function runDemo(log: (line: string) => void = console.log): Promise<DemoRow[]> {
  const sandbox = await startSandbox({
    keys: [...demoKeys(), ...Object.values(ROTATED_KEYS), ...demoSubAccountKeys()],
  });
  const dir = await mkdtemp(join(tmpdir(), 'exkeys-demo-'));
  const envFile = join(dir, '.env');
  const rows: DemoRow[] = [];
  // Masked keys by exchange and profile, for the lines about keys the bot refuses.
  const previews = new Map<string, string>();
  try {
    log(`sandbox exchange listening on ${sandbox.url} (loopback only)`);
    for (const key of demoKeys()) {
      const { apiKey, apiSecret, passphrase, profile } = key;
      previews.set(`${key.exchange}/${profile ?? 'default'}`, maskKey(apiKey));
      await saveApiKeys(
        key.exchange,
        { apiKey, apiSecret, ...(passphrase ? { passphrase } : {}) },
        { envFile, profile },
      );
    }
    log(`demo keys saved to ${envFile} (mode 0600) with saveApiKeys\n`);

    for (const exchange of EXCHANGES) {
      rows.push(await attempt(exchange, undefined, envFile, sandbox.url, previews, log));
    }
    log(
      '\nNow keys that can withdraw, or pay funds out to others (Bybit P2P). exkeys must refuse them before any trade:',
    );
    for (const key of demoKeys()) {
      // A starter project trimmed to some exchanges skips the others' keys.
      const exchange = EXCHANGES.find((id) => id === key.exchange);
      if (key.profile === undefined || exchange === undefined) continue;
      rows.push(await attempt(exchange, key.profile, envFile, sandbox.url, previews, log));
    }
    const [first] = EXCHANGES;
    log(
      `\nNow the ${first} key is rotated in the .env (as \`exkeys rotate\` does) while the bot runs:`,
    );
    rows.push(await rotation(first, envFile, sandbox.url, log));
    const auto = await autoRotation(dir, sandbox.url, log);
    if (auto) rows.push(auto);
  } finally {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
  log(`\n${table(rows)}`);
  return rows;
}

async function attempt(
  exchange: ExchangeId,
  profile: string | undefined,
  envFile: string,
  baseUrl: string,
  previews: ReadonlyMap<string, string>,
  log: (line: string) => void,
): Promise<DemoRow> {
  const expectRefusal = profile !== undefined;
  const key = previews.get(`${exchange}/${profile ?? 'default'}`) ?? '';
  try {
    const acceptUnchecked = DEMO_ACCEPT_UNCHECKED[exchange] ?? [];
    const result: BotResult = await runBot({
      exchange,
      profile,
      envFile,
      baseUrl,
      log,
      acceptUnchecked,
    });
    return {
      exchange,
      profile: result.profile,
      key: result.keyPreview,
      outcome: `order ${result.orderId} placed and cancelled`,
      ok: !expectRefusal,
    };
  } catch (error) {
    const refused = UnsafeKeyError.isInstance(error);
    const tag = `[${exchange}/${profile ?? 'default'} ${key}]`;
    if (refused) log(`  ✗ ${tag} ${error.message}`);
    else log(`  ! ${tag} ${ExkeysError.isInstance(error) ? error.message : String(error)}`);
    return {
      exchange,
      profile: profile ?? 'default',
      key,
      outcome: refused ? `refused: ${error.reasons.join(', ')}` : 'failed',
      ok: expectRefusal && refused,
    };
  }
}

/** Two rounds of trading with a key rotation in between; the bot is not restarted. */
async function rotation(
  exchange: ExchangeId,
  envFile: string,
  baseUrl: string,
  log: (line: string) => void,
): Promise<DemoRow> {
  let rotated: (preview: string) => void = () => {};
  const switched = new Promise<string>((resolve) => {
    rotated = resolve;
  });
  const next = ROTATED_KEYS[exchange];
  const row = { exchange, profile: 'default', key: maskKey(next.apiKey) };
  try {
    const result = await runBot({
      exchange,
      envFile,
      baseUrl,
      log,
      acceptUnchecked: DEMO_ACCEPT_UNCHECKED[exchange] ?? [],
      rounds: 2,
      onKeyRotated: rotated,
      betweenRounds: async () => {
        const { apiKey, apiSecret, passphrase } = next;
        await updateApiKey(
          exchange,
          { apiKey, apiSecret, ...(passphrase ? { passphrase } : {}) },
          { envFile, env: {} },
        );
        log(`  ↻ rotated the key in ${envFile}; the running bot picks it up`);
        const timeout = new Promise<string>((_, reject) =>
          setTimeout(
            () => reject(new Error('the bot did not pick up the new key in 10 s')),
            10_000,
          ),
        );
        await Promise.race([switched, timeout]);
      },
    });
    const [before, after] = result.rounds;
    const ok = before?.keyPreview !== after?.keyPreview && after?.keyPreview === row.key;
    return {
      ...row,
      outcome: `kept trading across a rotation: ${before?.keyPreview} → ${after?.keyPreview}`,
      ok,
    };
  } catch (error) {
    log(
      `  ! [${exchange}/default] ${ExkeysError.isInstance(error) ? error.message : String(error)}`,
    );
    return { ...row, outcome: 'failed', ok: false };
  }
}

/**
 * `exkeys rotate --auto` as a library call: the sandbox's sub-account BOT key of the first exchange
 * that has one is replaced through the exchange's key API with the ADMIN master key, then the old
 * key is shown refused. `undefined` when none of this bot's exchanges has a sub-account demo key.
 */
async function autoRotation(
  dir: string,
  baseUrl: string,
  log: (line: string) => void,
): Promise<DemoRow | undefined> {
  const exchange = EXCHANGES.find((id) =>
    demoSubAccountKeys().some((k) => k.exchange === id && k.profile === 'BOT'),
  );
  if (exchange === undefined) return undefined;
  const envFile = join(dir, 'sub-account.env');
  for (const { apiKey, apiSecret, passphrase, profile, ...key } of demoSubAccountKeys()) {
    if (key.exchange !== exchange) continue;
    await saveApiKeys(
      exchange,
      { apiKey, apiSecret, ...(passphrase ? { passphrase } : {}) },
      {
        envFile,
        profile,
      },
    );
  }
  const env: Record<string, string | undefined> = {};
  await loadApiKeys({ envFile, target: env });
  const old = connect(exchange, { env, profile: 'BOT' }, { baseUrl });
  const row = { exchange, profile: 'BOT', key: maskKey(old.creds.apiKey) };
  log(
    `\nNow the ${exchange} BOT key (on a sub-account) is rotated through ${exchange}'s key API with the ADMIN master key, as \`exkeys rotate ${exchange} --auto\` does:`,
  );
  try {
    if (old.keyManager === undefined) throw new Error(`${exchange} has no key manager`);
    const result = await rotateKey({
      manager: old.keyManager,
      envFile,
      profile: 'BOT',
      graceSeconds: 0,
      stateDir: join(dir, 'state'),
      clientOptions: { baseUrl },
      onStep: (event) => {
        if (event.status === 'done') log(`  ✔ ${event.message}`);
      },
    });
    const refusal = await old.verify().then(
      () => undefined,
      (error: unknown) => (KeyVerificationError.isInstance(error) ? error.reason : undefined),
    );
    log(
      `  ✗ [${exchange}/BOT ${result.oldKey}] the old key is now refused: ${refusal ?? 'not refused!'}`,
    );
    return {
      ...row,
      key: result.newKey ?? '',
      outcome: `rotated through the key API: ${result.oldKey} → ${result.newKey}; old key refused (${refusal})`,
      ok: result.outcome === 'rotated' && refusal === 'invalid-key',
    };
  } catch (error) {
    log(`  ! [${exchange}/BOT] ${ExkeysError.isInstance(error) ? error.message : String(error)}`);
    return { ...row, outcome: 'failed', ok: false };
  }
}

function table(rows: readonly DemoRow[]): string {
  const head = ['exchange', 'profile', 'key', 'result', ''];
  const body = rows.map((r) => [
    r.exchange,
    r.profile,
    r.key || '—',
    r.outcome,
    r.ok ? 'as expected' : 'UNEXPECTED',
  ]);
  const widths = head.map((_, i) =>
    Math.max(...[head, ...body].map((cells) => (cells[i] ?? '').length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(head), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(format)].join(
    '\n',
  );
}

// Run when executed directly (`node dist/demo.js`), not when imported by the tests.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runDemo();
  const ok = rows.every((row) => row.ok);
  console.log(
    ok ? '\nDemo finished: every key behaved as expected.' : '\nDemo found an unexpected result.',
  );
  process.exit(ok ? 0 : 1);
}
