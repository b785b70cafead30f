// Child processes cannot import TypeScript on Node 20: child.mjs runs next to the transpiled store
// modules that the shared child build produces.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildForChild } from '../child-build.js';

/** A directory holding `child.mjs` and the transpiled store modules; `dispose` removes it. */
export async function buildChildren(): Promise<{ script: string; dispose: () => Promise<void> }> {
  const build = await buildForChild(['stores/dotenv/dotenv-store.ts', 'stores/atomic-file.ts']);
  const script = join(build.dir, 'out', 'child.mjs');
  await copyFile(fileURLToPath(new URL('child.mjs', import.meta.url)), script);
  return { script, dispose: () => build.dispose() };
}
