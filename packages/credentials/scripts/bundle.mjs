// Bundles the package's two runtime entry points (with one shared chunk) so that importing
// @exkeys/credentials reads two files instead of ~25: module loading dominates its start-up.
// The test kit (`./testing`) is bundled apart: it is never part of the runtime graph, and it reaches
// the runtime through the package's own exports, so no runtime code is copied into it.
// Runs before `tsc --emitDeclarationOnly`, which adds the types; dependencies stay external.
import { rmSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { rolldown } from 'rolldown';

const bare = (id) => !id.startsWith('.') && !isAbsolute(id);
const resolve = { extensionAlias: { '.js': ['.ts', '.js'] } };

rmSync('dist', { recursive: true, force: true });
const runtime = await rolldown({
  input: { index: 'src/index.ts', 'exchange/index': 'src/exchange/index.ts' },
  platform: 'node',
  external: bare,
  resolve,
});
await runtime.write({
  dir: 'dist',
  format: 'esm',
  entryFileNames: '[name].js',
  chunkFileNames: 'chunks/[name]-[hash].js',
  sourcemap: true,
});
await runtime.close();

// The kit may import the runtime only through its entry points, which become self-references.
const RUNTIME_ENTRIES = {
  '../index.js': '@exkeys/credentials',
  '../exchange/index.js': '@exkeys/credentials/exchange',
};
const testing = await rolldown({
  input: { 'testing/index': 'src/testing/index.ts' },
  platform: 'node',
  external: bare,
  resolve,
  plugins: [
    {
      name: 'runtime-entries',
      resolveId(id, importer) {
        if (!importer?.includes('/src/testing/') || !id.startsWith('../')) return null;
        if (Object.hasOwn(RUNTIME_ENTRIES, id)) return { id: RUNTIME_ENTRIES[id], external: true };
        throw new Error(
          `src/testing imports ${id}: reach the runtime through ../index.js or ../exchange/index.js, so that the kit copies none of it.`,
        );
      },
    },
  ],
});
await testing.write({ dir: 'dist', format: 'esm', entryFileNames: '[name].js', sourcemap: true });
await testing.close();
