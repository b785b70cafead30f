// Bundles the package's two entry points (with one shared chunk) so that importing
// @exkeys/credentials reads two files instead of ~25: module loading dominates its start-up.
// Runs before `tsc --emitDeclarationOnly`, which adds the types; dependencies stay external.
import { rmSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { rolldown } from 'rolldown';

rmSync('dist', { recursive: true, force: true });
const bundle = await rolldown({
  input: { index: 'src/index.ts', 'exchange/index': 'src/exchange/index.ts' },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !isAbsolute(id),
  resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
});
await bundle.write({
  dir: 'dist',
  format: 'esm',
  entryFileNames: '[name].js',
  chunkFileNames: 'chunks/[name]-[hash].js',
  sourcemap: true,
});
await bundle.close();
