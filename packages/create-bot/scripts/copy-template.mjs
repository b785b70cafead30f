// Copies the starter bot's sources from apps/example-bot (the one source of the template) into
// template/, which the package ships. The generator rewrites them for the options chosen.
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../../../apps/example-bot/src/', import.meta.url));
const to = fileURLToPath(new URL('../template/src/', import.meta.url));
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) {
  if (name.endsWith('.ts') && !name.endsWith('.test.ts')) cpSync(`${from}${name}`, `${to}${name}`);
}
