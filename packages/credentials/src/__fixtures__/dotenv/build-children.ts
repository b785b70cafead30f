// Child processes cannot import TypeScript on Node 20, so the tests transpile the modules they need
// (types erased, nothing else changed) into a temporary directory next to a copy of child.mjs.
import { copyFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const sources = ['atomic-file', 'dotenv-document', 'dotenv-store', 'errors', 'store'];
const source = (name: string): string => fileURLToPath(new URL(`../../${name}`, import.meta.url));

/** A directory holding `child.mjs` and the transpiled store modules; `dispose` removes it. */
export async function buildChildren(): Promise<{ script: string; dispose: () => Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'exkeys-dotenv-children-'));
  for (const name of sources) {
    const fileName = source(`${name}.ts`);
    const { outputText } = ts.transpileModule(await readFile(fileName, 'utf8'), {
      fileName,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    await writeFile(join(directory, `${name}.js`), outputText);
  }
  // Bare imports (dotenv) resolve through the package's own node_modules.
  await symlink(source('../node_modules'), join(directory, 'node_modules'), 'dir');
  await copyFile(fileURLToPath(new URL('child.mjs', import.meta.url)), join(directory, 'child.mjs'));
  return {
    script: join(directory, 'child.mjs'),
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
}
