/**
 * `exkeys scan --install-hook`: a git pre-commit hook that runs `exkeys scan --staged`, written as
 * a plain hook (in the hooks directory git uses, `core.hooksPath` included) or, where Husky is in
 * use (a `.husky/` directory), as a line of `.husky/pre-commit`. `git config exkeys.hook false`
 * turns it off without removing it.
 * @module
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './exit-codes.js';
import { git } from './git.js';

/** Marks the hooks and lines exkeys wrote, so a second install changes nothing. */
export const HOOK_MARKER = '# exkeys pre-commit hook';

/** The shell lines that run the scan: the project's own exkeys first, else the one on PATH. */
const RUN_SCAN = [
  HOOK_MARKER,
  '# Blocks a commit that adds an exchange API key. Turn off: git config exkeys.hook false',
  'if [ "$(git config --bool exkeys.hook)" != "false" ]; then',
  '  if [ -x node_modules/.bin/exkeys ]; then node_modules/.bin/exkeys scan --staged || exit $?',
  '  else exkeys scan --staged || exit $?; fi',
  'fi',
];

/** Where the hook went. */
export interface InstalledHook {
  /** The file written or extended. */
  path: string;
  /** `husky` when added to `.husky/pre-commit`, else `git`. */
  kind: 'git' | 'husky';
  /** False when the hook was already there. */
  changed: boolean;
}

// Written next to the target and renamed over it, so a reader never sees half a hook.
function writeAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${Date.now().toString(36)}.${process.pid}.exkeys-hook.tmp`);
  try {
    writeFileSync(temp, text, { mode: 0o700, flag: 'wx' });
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Installs the hook for the repository whose work tree contains `cwd`.
 * @throws {UsageError} outside a git work tree, or when a pre-commit hook of another tool exists
 * (it is never overwritten: the message says which line to add to it).
 */
export async function installPreCommitHook(cwd: string): Promise<InstalledHook> {
  const top = await git(['rev-parse', '--show-toplevel'], cwd);
  if (top.code !== 0) {
    throw new UsageError('--install-hook needs a git repository: run it inside one.');
  }
  const root = top.stdout.trim();
  const husky = join(root, '.husky');
  if (existsSync(husky)) {
    const path = join(husky, 'pre-commit');
    const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (old.includes(HOOK_MARKER)) return { path, kind: 'husky', changed: false };
    const lines = old === '' ? RUN_SCAN : [old.replace(/\n*$/, ''), '', ...RUN_SCAN];
    writeAtomic(path, `${lines.join('\n')}\n`);
    return { path, kind: 'husky', changed: true };
  }
  const hooks = await git(['rev-parse', '--git-path', 'hooks'], root);
  const path = join(resolve(root, hooks.stdout.trim()), 'pre-commit');
  if (existsSync(path)) {
    if (readFileSync(path, 'utf8').includes(HOOK_MARKER)) {
      return { path, kind: 'git', changed: false };
    }
    throw new UsageError(
      `A pre-commit hook already exists at ${path} and exkeys did not write it: add the line "exkeys scan --staged" to it yourself.`,
    );
  }
  writeAtomic(path, `${['#!/bin/sh', ...RUN_SCAN].join('\n')}\n`);
  return { path, kind: 'git', changed: true };
}
