/**
 * `node dist/main.js`: runs the bot with settings from environment variables.
 *
 *   EXKEYS_EXCHANGE   bybit | binance | okx | coinbase | kucoin | kraken (default bybit)
 *   EXKEYS_PROFILE    a named key profile              (default: the plain BYBIT_API_KEY names)
 *   EXKEYS_STORE      env | age | secrets              (default: DEFAULT_STORE in store.ts)
 *   EXKEYS_ENV_FILE   path of the .env file            (default .env)
 *   EXKEYS_KEYSTORE   path of the age keystore         (default .env.age)
 *   EXKEYS_SECRETS_DIR  directory of secret files      (default /run/secrets)
 *   EXKEYS_BASE_URL   e.g. http://127.0.0.1:8787 from `exkeys sandbox`
 *   EXKEYS_TESTNET=1  the exchange's testnet;  EXKEYS_DEMO=1  its demo-trading environment
 *   EXKEYS_MAINNET=1  required to place the (cancelled, far-from-market) order on mainnet
 *   EXKEYS_SYMBOL     market to use                    (default BTC/USDT)
 *   EXKEYS_ROUNDS     how many times to trade, or `forever` (default 1); with more than one the bot
 *                     watches its store, so `exkeys rotate` reaches it without a restart
 *   EXKEYS_INTERVAL   seconds between two rounds       (default 60)
 *   EXKEYS_ACCEPT_UNCHECKED  facts you checked yourself that the exchange does not report, e.g.
 *                     ip-whitelist for Coinbase (comma-separated; default none: such keys are refused)
 * @module
 */
import { ExkeysError, type UncheckedFact } from '@exkeys/credentials';
import { runBot } from './bot.js';
import { EXCHANGES, type ExchangeId } from './exchanges.js';
import { botStore } from './store.js';

const env = process.env;
const exchange = (env.EXKEYS_EXCHANGE ?? 'bybit').toLowerCase() as ExchangeId;
const flag = (name: string) => ['1', 'true', 'yes'].includes((env[name] ?? '').toLowerCase());

if (!EXCHANGES.includes(exchange)) {
  console.error(`EXKEYS_EXCHANGE must be one of ${EXCHANGES.join(', ')}.`);
  process.exit(2);
}
const baseUrl = env.EXKEYS_BASE_URL || undefined;
const testnet = flag('EXKEYS_TESTNET');
const demo = flag('EXKEYS_DEMO');
if (!baseUrl && !testnet && !demo && !flag('EXKEYS_MAINNET')) {
  console.error(
    'Refusing to trade on mainnet by accident. Set EXKEYS_TESTNET=1, EXKEYS_DEMO=1 or EXKEYS_BASE_URL (the sandbox), or EXKEYS_MAINNET=1 if you mean it.',
  );
  process.exit(2);
}

const rounds = env.EXKEYS_ROUNDS === 'forever' ? Infinity : Number(env.EXKEYS_ROUNDS || 1);
const interval = Number(env.EXKEYS_INTERVAL || 60);
if (!(Number.isInteger(rounds) || rounds === Infinity) || rounds < 1 || !(interval >= 0)) {
  console.error(
    'EXKEYS_ROUNDS must be a whole number of at least 1 or `forever`, and EXKEYS_INTERVAL a number of seconds.',
  );
  process.exit(2);
}

try {
  const { envFile, stores } = botStore(env);
  await runBot({
    exchange,
    profile: env.EXKEYS_PROFILE,
    envFile,
    stores,
    symbol: env.EXKEYS_SYMBOL,
    baseUrl,
    testnet,
    demo,
    rounds,
    intervalMs: interval * 1000,
    acceptUnchecked: (env.EXKEYS_ACCEPT_UNCHECKED ?? '')
      .split(',')
      .map((fact) => fact.trim())
      .filter((fact): fact is UncheckedFact => fact === 'withdraw' || fact === 'ip-whitelist'),
  });
} catch (error) {
  // exkeys errors say what to do, and runBot scrubs secrets from any other error.
  const name = ExkeysError.isInstance(error) ? error.name : 'The bot stopped';
  console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
