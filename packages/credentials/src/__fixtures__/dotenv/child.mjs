// A separate process working on one .env file, for the concurrency and crash tests.
// Run from the directory made by build-children.ts, next to the transpiled modules.
//   child.mjs <file> many <id> <count>   writes <count> distinct variables C<id>_V<i>, then exits
//   child.mjs <file> loop                rewrites BIG (large) and N together until killed
//   child.mjs <file> hold                takes the file's lock and keeps it until killed
import { withFileLock } from './stores/atomic-file.js';
import { dotenvStore } from './stores/dotenv/dotenv-store.js';

const [file, mode, id, count] = process.argv.slice(2);
const store = dotenvStore(file);

if (mode === 'many') {
  for (let i = 0; i < Number(count); i++) {
    const name = `C${id}_V${i}`;
    await store.write({ [name]: `value ${id}/${i} "q" 'q' #` }, { rotatedAt: { [name]: new Date().toISOString() } });
  }
} else if (mode === 'loop') {
  process.stdout.write('started\n');
  for (let n = 1; ; n++) {
    await store.write({ BIG: `${n}:${'x'.repeat(200_000)}\n${'y'.repeat(200_000)}:${n}`, N: String(n) });
  }
} else if (mode === 'hold') {
  await withFileLock(file, async () => {
    process.stdout.write('locked\n');
    await new Promise(() => setInterval(() => {}, 1000));
  });
}
