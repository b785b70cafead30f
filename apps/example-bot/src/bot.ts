/**
 * The starter bot. Copy this file: it shows the whole safe path of a key, in order.
 *   1. load    — .env → a private environment (never process.env, so child processes get no keys)
 *   2. validate — static checks before any network call
 *   3. retrieve — validated credentials only
 *   4. verify  — the exchange confirms the key works; a key that can withdraw is refused
 *   5. trade   — balance, ticker, one small limit order far from the market, cancelled at once
 *   6. watch   — with `rounds` > 1 it trades again and again; a key rotated in the store meanwhile
 *                (`exkeys rotate`) is validated, verified and swapped into the live client
 * Every log line carries the masked key (its first 6 characters at most), never a secret.
 * @module
 */
import {
  assertSafeKey,
  type CredentialStore,
  type CredentialWatcher,
  ExkeysError,
  getApiKey,
  type KeyPolicy,
  type KeyReport,
  loadApiKeys,
  maskKey,
  redactText,
  type UncheckedFact,
  validateCredentials,
} from '@exkeys/credentials';
import { redactError } from '@exkeys/credentials/exchange';
import {
  type Connection,
  type ConnectionOptions,
  connect,
  type ExchangeId,
  type TradingClient,
} from './exchanges.js';

/** What to run. */
export interface BotOptions extends ConnectionOptions {
  /** Which exchange to trade on. */
  exchange: ExchangeId;
  /**
   * Named profile: one dedicated key per bot (`BYBIT_GRID_API_KEY` for profile `grid`).
   * @default 'default'
   */
  profile?: string;
  /**
   * The `.env` file holding the keys.
   * @default '.env'
   */
  envFile?: string;
  /** Stores to load the keys from instead of `envFile` (an age keystore, secret files…). */
  stores?: readonly CredentialStore[];
  /**
   * Market to trade.
   * @default 'BTC/USDT'
   */
  symbol?: string;
  /**
   * Where log lines go.
   * @default console.log
   */
  log?: (line: string) => void;
  /**
   * How many times to trade. From the second round on the bot watches its store (the first of
   * `stores`, or `envFile`): a rotated key reaches the running client without a restart.
   * `Infinity` trades until the process stops.
   * @default 1
   */
  rounds?: number;
  /**
   * Pause between two rounds, in ms.
   * @default 0
   */
  intervalMs?: number;
  /** Awaited after each round but the last, e.g. to rotate the key in a demo. */
  betweenRounds?: (round: number) => Promise<void>;
  /** Called when the client switched to a rotated key, with its masked preview. */
  onKeyRotated?: (keyPreview: string) => void;
  /**
   * Facts the exchange does not report that you checked on its API page yourself (Coinbase reports
   * no IP allowlist: `['ip-whitelist']`). Without it, such a key is refused.
   * @default []
   */
  acceptUnchecked?: readonly UncheckedFact[];
}

/** One round of trading. */
export interface TradeRound {
  /** The masked key the round's requests were signed with. */
  keyPreview: string;
  /** The id of the order placed and cancelled. */
  orderId: string;
}

/** What one run did. Holds no secret. */
export interface BotResult {
  exchange: ExchangeId;
  profile: string;
  /** At most the key's first 6 characters. */
  keyPreview: string;
  /** The audited permissions. */
  permissions: KeyReport['permissions'];
  /** Last traded price of `symbol`. */
  last: number;
  /** The id of the (last) order placed and cancelled. */
  orderId: string;
  /** Every round, in order. */
  rounds: TradeRound[];
  /** Advice from the audit, e.g. no IP whitelist. */
  warnings: string[];
}

/** Runs the bot once. Throws an `ExkeysError` (typed, with advice) when a step refuses to go on. */
export async function runBot(options: BotOptions): Promise<BotResult> {
  const print = options.log ?? console.log;
  const symbol = options.symbol ?? 'BTC/USDT';
  // A private copy of the environment: keys set in the shell (or by `exkeys run`) still win, but the
  // file's keys never reach process.env, so child processes do not inherit them.
  const read = { env: { ...process.env }, profile: options.profile };

  // 1. Load: keys go into the private object, not process.env.
  const from = options.stores ? { stores: options.stores } : { envFile: options.envFile ?? '.env' };
  await loadApiKeys({ ...from, target: read.env });

  // 2. Validate: catch typos, placeholders and missing values before touching the network.
  const check = validateCredentials(options.exchange, read);
  const key = check.keySet ? maskKey(getApiKey(check.exchange, read)) : 'no key';
  let tag = `[${check.exchange}/${check.profile} ${key}]`;
  for (const warning of check.warnings) print(`${tag} warning: ${warning.message}`);

  // 3. Retrieve: throws a CredentialsError naming every bad variable if step 2 found errors.
  const connection = connect(options.exchange, read, options);
  let { creds } = connection;
  const secrets: Array<string | undefined> = [creds.apiSecret, creds.passphrase];
  const log = (message: string) => print(redactText(`${tag} ${message}`, secrets));

  let watcher: CredentialWatcher | undefined;
  try {
    // 4. Verify and audit: a key that can withdraw never gets to trade.
    const policy: KeyPolicy = { purpose: 'trade', acceptUnchecked: options.acceptUnchecked ?? [] };
    const { report, warnings } = await verify(connection, log, policy);
    // 5. Trade.
    const client = await connection.client();
    const rounds: TradeRound[] = [];
    let last = 0;
    const total = options.rounds ?? 1;
    if (total > 1) {
      // 6. Watch: `exkeys rotate` reaches this client between two requests, after the same checks.
      const store = options.stores?.[0];
      watcher = await connection.watch(client, {
        policy,
        ...(store ? { store } : { envFile: options.envFile ?? '.env' }),
        onRotated: (next, advice) => {
          secrets.push(next.apiSecret, next.passphrase);
          log(`key rotated: now signing with ${maskKey(next.apiKey)}`);
          creds = next;
          tag = `[${next.exchange}/${next.profile} ${maskKey(next.apiKey)}]`;
          for (const warning of advice) log(`warning: ${warning}`);
          options.onKeyRotated?.(maskKey(next.apiKey));
        },
        onError: (error) => log(`new key not used, still on the old one: ${safeMessage(error)}`),
      });
    }
    for (let round = 1; round <= total; round++) {
      const keyPreview = maskKey(creds.apiKey);
      const done = await trade(client, symbol, log);
      last = done.last;
      rounds.push({ keyPreview, orderId: done.orderId });
      if (round === total) break;
      await options.betweenRounds?.(round);
      if (options.intervalMs) await new Promise((r) => setTimeout(r, options.intervalMs));
    }
    const final = rounds.at(-1) as TradeRound;
    return {
      exchange: creds.exchange as ExchangeId,
      profile: creds.profile,
      keyPreview: final.keyPreview,
      permissions: report.permissions,
      last,
      orderId: final.orderId,
      rounds,
      warnings,
    };
  } catch (error) {
    // exkeys errors are already safe to print; anything else is scrubbed of the secrets first.
    throw ExkeysError.isInstance(error) ? error : redactError(error, creds);
  } finally {
    await watcher?.close();
  }
}

/** Step 4: one authenticated call, then the audit. Returns the report and the audit's warnings. */
async function verify(
  connection: Connection,
  log: (message: string) => void,
  policy: KeyPolicy,
): Promise<{ report: KeyReport; warnings: string[] }> {
  const report = await connection.verify();
  const { warnings } = assertSafeKey(report, policy);
  for (const warning of [...report.warnings, ...warnings]) log(`warning: ${warning}`);
  const p = report.permissions;
  log(`key verified: read=${p.read} trade=${p.trade} withdraw=${p.withdraw}`);
  return { report, warnings };
}

/** Step 5: a tiny limit buy at half the market price, so it cannot fill, then cancel it. */
async function trade(
  client: TradingClient,
  symbol: string,
  log: (message: string) => void,
): Promise<{ orderId: string; last: number }> {
  const balance = await client.fetchBalance();
  log(`balance: ${Object.keys((balance.total ?? {}) as object).length} currencies`);
  const ticker = await client.fetchTicker(symbol);
  const last = ticker.last ?? 0;
  if (!(last > 0))
    throw new Error(`No last price for ${symbol}; pick another market with EXKEYS_SYMBOL.`);
  log(`${symbol} last price ${last}`);
  await client.loadMarkets();
  const price = Number(client.priceToPrecision(symbol, last * 0.5));
  // The smallest order the market takes: its minimum amount, and its minimum value at our price.
  const { limits } = client.market(symbol);
  const minimum = Math.max(limits.amount?.min ?? 0, (limits.cost?.min ?? 0) / price) || 0.001;
  // Half again as much, so rounding down to the market's amount step keeps it above the minimum.
  const amount = Number(client.amountToPrecision(symbol, minimum * 1.5));
  const { id } = await client.createOrder(symbol, 'limit', 'buy', amount, price);
  if (!id) throw new Error('The order got no id: cancel it on the exchange website.');
  log(`placed limit buy ${amount} @ ${price} (order ${id})`);
  await client.cancelOrder(id, symbol);
  log(`cancelled order ${id}`);
  return { orderId: id, last };
}

/** An error's message, safe to log: exkeys messages hold no secret, others are not trusted. */
function safeMessage(error: Error): string {
  return ExkeysError.isInstance(error) ? error.message : error.name;
}
