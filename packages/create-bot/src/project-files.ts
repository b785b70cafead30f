/**
 * The files of a generated project that are not the bot's sources: manifest, TypeScript settings,
 * git ignores, the key template, a test, the README and, for Docker secrets, `compose.yaml`.
 * @module
 */
import type { ExchangeChoice, StoreChoice } from './choices.js';

/** What the project files depend on. */
export interface ProjectSettings {
  /** The npm package name of the project. */
  name: string;
  /** The exchanges chosen, default first. */
  exchanges: readonly ExchangeChoice[];
  /** Where the keys live. */
  store: StoreChoice;
  /** The version range of the `@exkeys/*` dependencies. */
  version: string;
}

const VARIABLES: Record<ExchangeChoice, string[]> = {
  bybit: ['BYBIT_API_KEY', 'BYBIT_API_SECRET'],
  binance: ['BINANCE_API_KEY', 'BINANCE_API_SECRET'],
  okx: ['OKX_API_KEY', 'OKX_API_SECRET', 'OKX_API_PASSPHRASE'],
  coinbase: ['COINBASE_API_KEY', 'COINBASE_API_SECRET'],
  kucoin: ['KUCOIN_API_KEY', 'KUCOIN_API_SECRET', 'KUCOIN_API_PASSPHRASE'],
  kraken: ['KRAKEN_API_KEY', 'KRAKEN_API_SECRET'],
};

function manifest(settings: ProjectSettings): string {
  const dependencies: Record<string, string> = { '@exkeys/credentials': settings.version };
  for (const id of settings.exchanges) dependencies[`@exkeys/${id}`] = settings.version;
  return `${JSON.stringify(
    {
      name: settings.name,
      version: '0.1.0',
      private: true,
      type: 'module',
      engines: { node: '>=20' },
      scripts: {
        build: 'tsc',
        test: 'tsc && node --test',
        start: 'node dist/main.js',
        demo: 'tsc && node dist/demo.js',
      },
      dependencies,
      devDependencies: {
        '@exkeys/cli': settings.version,
        '@exkeys/sandbox': settings.version,
        '@types/node': '^20.19.43',
        typescript: '^5.9.3',
      },
    },
    null,
    2,
  )}\n`;
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      strict: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      skipLibCheck: true,
      sourceMap: true,
      rootDir: 'src',
      outDir: 'dist',
    },
    include: ['src'],
  },
  null,
  2,
)}\n`;

const GITIGNORE = `node_modules/
dist/

# Secrets: never commit keys.
.env
.env.*
!.env.example
.env.age
*.env.age
*.age
# age identities
age-identity.txt
identity.txt
*.agekey
# Docker secret files (compose.yaml)
secrets/
# exkeys atomic-write temp files and locks
.*.tmp
*.env.lock
`;

function envExample(settings: ProjectSettings): string {
  const lines = [
    '# The variables this bot reads. Do not put real keys here: this file is committed.',
    '# Write keys with `npx exkeys set <exchange>` (hidden prompts, .env with mode 0600).',
  ];
  for (const id of settings.exchanges) lines.push('', ...VARIABLES[id].map((name) => `${name}=`));
  lines.push(
    '',
    '# Where the bot connects; leave all unset for mainnet (then EXKEYS_MAINNET=1 is required).',
    '# EXKEYS_TESTNET=1',
    '# EXKEYS_DEMO=1',
    '# EXKEYS_BASE_URL=http://127.0.0.1:8787',
  );
  return `${lines.join('\n')}\n`;
}

const TEST = `// Runs the whole bot offline against the loopback sandbox exchange: each safe demo key trades,
// each withdraw-enabled key is refused, a key rotated while the bot runs is picked up, and no
// secret is ever printed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoKeys, demoSubAccountKeys } from '@exkeys/sandbox';
import { runDemo } from './demo.js';
import { EXCHANGES } from './exchanges.js';

test('the bot trades with safe keys, refuses withdraw keys and prints no secret', async () => {
  const lines: string[] = [];
  const rows = await runDemo((line) => lines.push(line));
  const ours = demoKeys().filter((key) => (EXCHANGES as readonly string[]).includes(key.exchange));
  // One row per demo key of the chosen exchanges, then the rotation, then the key-API rotation
  // when one of them has a sub-account demo key.
  const auto = demoSubAccountKeys().some((key) => key.profile === 'BOT' && (EXCHANGES as readonly string[]).includes(key.exchange));
  assert.equal(rows.length, ours.length + 1 + (auto ? 1 : 0));
  assert.match(rows.at(auto ? -2 : -1)?.outcome ?? '', /kept trading across a rotation/);
  if (auto) assert.match(rows.at(-1)?.outcome ?? '', /rotated through the key API: .*old key refused/);
  for (const row of rows) assert.ok(row.ok, \`\${row.exchange}/\${row.profile}: \${row.outcome}\`);
  assert.ok(rows.some((row) => /placed and cancelled/.test(row.outcome)));
  assert.ok(rows.some((row) => row.outcome.startsWith('refused')));
  const output = lines.join('\\n');
  for (const key of demoKeys()) {
    assert.ok(!output.includes(key.apiSecret), 'a secret was printed');
    if (key.passphrase) assert.ok(!output.includes(key.passphrase), 'a passphrase was printed');
    assert.ok(!output.includes(key.apiKey.slice(0, 7)), 'more than 6 characters of a key were printed');
  }
});
`;

function compose(settings: ProjectSettings): string {
  const variables = settings.exchanges.flatMap((id) => VARIABLES[id]);
  const lines = [
    '# Docker secrets: each key is one file under ./secrets (ignored by git), mounted at',
    '# /run/secrets/<VARIABLE> and read there by the bot (EXKEYS_STORE=secrets).',
    '#   mkdir -p secrets && chmod 700 secrets',
    `#   printf %s "$KEY" > secrets/${variables[0]}   # one file per variable, no trailing newline needed`,
    'services:',
    '  bot:',
    '    build: .',
    '    environment:',
    '      EXKEYS_STORE: secrets',
    `      EXKEYS_EXCHANGE: ${settings.exchanges[0]}`,
    '      EXKEYS_TESTNET: "1"',
    '    secrets:',
    ...variables.map((name) => `      - ${name}`),
    'secrets:',
    ...variables.flatMap((name) => [`  ${name}:`, `    file: ./secrets/${name}`]),
  ];
  return `${lines.join('\n')}\n`;
}

const DOCKERFILE = `FROM node:20-alpine
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY dist ./dist
USER node
CMD ["node", "dist/main.js"]
`;

const DOCKERIGNORE = `node_modules
.env
.env.*
*.age
secrets
`;

const STORE_README: Record<StoreChoice, string> = {
  env: `Keys live in \`.env\` (mode 0600, ignored by git):

\`\`\`sh
npx exkeys set {{exchange}}        # hidden prompts
EXKEYS_TESTNET=1 npm start         # testnet keys; EXKEYS_DEMO=1 for demo trading
\`\`\``,
  age: `Keys live in an age keystore, \`.env.age\`, encrypted at rest (ignored by git all the same):

\`\`\`sh
npx exkeys set {{exchange}}        # hidden prompts, into .env
npx exkeys encrypt                 # moves .env into .env.age; asks for a passphrase
EXKEYS_PASSPHRASE_FILE=/path/to/passphrase EXKEYS_TESTNET=1 npm start
\`\`\`

The keystore opens with \`EXKEYS_PASSPHRASE\`, \`EXKEYS_PASSPHRASE_FILE\`, \`EXKEYS_AGE_IDENTITY\`,
\`EXKEYS_AGE_IDENTITY_FILE\` or \`~/.config/exkeys/age-identity.txt\`. \`EXKEYS_KEYSTORE\` names
another file.`,
  docker: `Keys are Docker secrets: one file per variable under \`./secrets\` (ignored by git), mounted at
\`/run/secrets\` by \`compose.yaml\`:

\`\`\`sh
mkdir -p secrets && chmod 700 secrets
# write each variable listed in compose.yaml into secrets/<VARIABLE>, e.g. with your secret manager
npm run build && docker compose up --build
\`\`\`

Outside Docker, \`EXKEYS_SECRETS_DIR\` names the directory.`,
};

function readme(settings: ProjectSettings): string {
  const exchange = settings.exchanges[0] ?? 'bybit';
  return `# ${settings.name}

A trading bot that keeps its exchange API keys safe with [exkeys](https://www.npmjs.com/package/@exkeys/credentials):
it loads, validates and retrieves its key, proves the key cannot withdraw, then fetches the balance and a
ticker and places one small limit order far from the market that it cancels at once.
Exchanges: ${settings.exchanges.join(', ')}.

## Try it offline

\`\`\`sh
npm install
npm run demo     # starts the loopback sandbox exchange and runs the bot against it
npm test         # the same, as a test
\`\`\`

## Your keys

${STORE_README[settings.store].replaceAll('{{exchange}}', exchange)}

Use a dedicated key per bot, without withdrawal permission: the bot refuses a key that can withdraw.
\`npx exkeys doctor\` checks the files, git and the key's age; \`npx exkeys verify\` asks the exchange.

## Settings

| Variable | Meaning | Default |
| --- | --- | --- |
| \`EXKEYS_EXCHANGE\` | ${settings.exchanges.join(' \\| ')} | ${exchange} |
| \`EXKEYS_PROFILE\` | a named key profile (\`BYBIT_GRID_API_KEY\` for \`grid\`) | the plain names |
| \`EXKEYS_STORE\` | env \\| age \\| secrets | ${settings.store === 'docker' ? 'secrets' : settings.store} |
| \`EXKEYS_TESTNET\` / \`EXKEYS_DEMO\` | the exchange's testnet / demo trading | off |
| \`EXKEYS_BASE_URL\` | another API origin, e.g. the sandbox from \`npx exkeys sandbox\` | — |
| \`EXKEYS_MAINNET=1\` | required to trade on mainnet | off |
| \`EXKEYS_SYMBOL\` | the market | BTC/USDT |
| \`EXKEYS_ROUNDS\` | how many times to trade, or \`forever\`; above 1 a key rotated with \`npx exkeys rotate\` reaches the running bot | 1 |
| \`EXKEYS_INTERVAL\` | seconds between two rounds | 60 |

## Scripts

- \`npm run build\`: compiles \`src/\` to \`dist/\`.
- \`npm test\`: builds, then runs \`node --test\` (the bot against the sandbox).
- \`npm start\`: runs the bot once (\`node dist/main.js\`).
- \`npm run demo\`: builds, starts the sandbox and runs the bot against it with demo keys.
`;
}

/** The project files for `settings`, by path relative to the project folder. */
export function projectFiles(settings: ProjectSettings): Map<string, string> {
  const files = new Map<string, string>([
    ['package.json', manifest(settings)],
    ['tsconfig.json', TSCONFIG],
    ['.gitignore', GITIGNORE],
    ['.env.example', envExample(settings)],
    ['README.md', readme(settings)],
    ['src/bot.test.ts', TEST],
  ]);
  if (settings.store === 'docker') {
    files.set('compose.yaml', compose(settings));
    files.set('Dockerfile', DOCKERFILE);
    files.set('.dockerignore', DOCKERIGNORE);
  }
  return files;
}
