import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const packages = [
  'credentials',
  'bybit',
  'binance',
  'okx',
  'kucoin',
  'sandbox',
  'cli',
  'create-bot',
];

// Tests run against source: `@exkeys/<pkg>` and `@exkeys/<pkg>/<sub>` resolve to src/.
const alias = [
  { find: /^@exkeys\/([a-z-]+)\/([a-z-]+)$/, replacement: `${root}packages/$1/src/$2/index.ts` },
  { find: /^@exkeys\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
];

export default defineConfig({
  resolve: { alias },
  test: {
    // Recipient lists accepted by tests are recorded here, not in the user's ~/.local/state.
    env: { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'exkeys-test-state-')) },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: `${root}reports/vitest.json` }]],
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, root: `${root}packages/${name}`, include: ['src/**/*.test.ts'] },
      })),
      {
        extends: true as const,
        test: { name: 'repo', root: `${root}scripts`, include: ['*.test.ts'] },
      },
      {
        extends: true as const,
        test: {
          name: 'example-bot',
          root: `${root}apps/example-bot`,
          include: ['src/**/*.test.ts'],
        },
      },
    ],
  },
});
