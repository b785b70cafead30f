// Another process rotating a key the way `exkeys rotate` does: one atomic, locked write of the .env
// file through the real store. Run next to the transpiled modules (see child-build.ts).
//   rotate-child.mjs <file> <key> <secret>   prints the time of the write (ms since the epoch)
import { dotenvStore } from './stores/dotenv/dotenv-store.js';

const [file, key, secret] = process.argv.slice(2);
await dotenvStore(file).write({ BYBIT_API_KEY: key, BYBIT_API_SECRET: secret });
process.stdout.write(`${Date.now()}\n`);
