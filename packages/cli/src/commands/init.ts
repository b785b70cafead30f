/**
 * `exkeys init`: a commented `.env` template created with mode 0600 (never over an existing file),
 * and `.gitignore` lines for every file that holds secrets.
 * @module
 */

import { chmod, open } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import {
  EXCHANGES,
  type ExchangeFacts,
  TEMPORARY_FILE_SUFFIX,
  variableNames,
} from '@exkeys/credentials';
import { CommandFailed, EXIT } from '../exit-codes.js';
import { gitRoot, isTracked } from '../git.js';
import { ensureIgnored } from '../gitignore.js';
import { ADD_KEY_COMMAND, EXKEYS_COMMAND } from '../messages.js';
import type { StoreOptions } from '../options.js';
import { ENV_VARIANT_PATTERNS, SECRET_FILE_PATTERNS } from '../secret-files.js';
import { err, out, print, printError } from '../terminal.js';

/** One commented block per exchange in the core's table: where to create the key, and its variables. */
function exchangeBlock(facts: ExchangeFacts): string {
  const names = variableNames(facts.id);
  const note = facts.needsPassphrase
    ? ' (the passphrase is the one chosen when creating the key)'
    : facts.exchangeGeneratesKeys
      ? ` (store its downloaded key file: exkeys set ${facts.id} --from-file <file>)`
      : '';
  const lines = [`# ${facts.name}: ${facts.apiManagementPage}${note}`, `# ${names.key}=`];
  lines.push(`# ${names.secret}=`);
  if (facts.needsPassphrase) lines.push(`# ${names.passphrase}=`);
  return `${lines.join('\n')}\n`;
}

const TEMPLATE = `# exkeys: exchange API keys for this project. NEVER commit this file (it is in .gitignore).
# Prefer \`exkeys set <exchange>\` (hidden prompt) to editing this file: it validates the key first.
# One dedicated key per bot, no withdraw permission, IP whitelist on. Check with \`exkeys doctor --live\`.

${Object.values(EXCHANGES).map(exchangeBlock).join('\n')}
# Named profiles, one per bot: BYBIT_GRID_API_KEY=… (exkeys set bybit --profile grid)
`;

/** Runs `exkeys init`. */
export async function initCommand(options: StoreOptions): Promise<void> {
  const envFile = resolve(options.envFile);
  const dir = dirname(envFile);
  const gitignore = join(dir, '.gitignore');
  // `*.exkeys-tmp`: the temporary file of a save killed mid-write holds the keys too.
  const added = await ensureIgnored(gitignore, [
    basename(envFile),
    ...ENV_VARIANT_PATTERNS,
    ...SECRET_FILE_PATTERNS,
    `*${TEMPORARY_FILE_SUFFIX}`,
  ]);
  print(
    added.length > 0
      ? `${out.green('✔')} ${relative(process.cwd(), gitignore)}: added ${added.join(', ')}`
      : `${out.green('✔')} ${relative(process.cwd(), gitignore)} already covers ${basename(envFile)} and keystores`,
  );

  if ((await gitRoot(dir)) !== undefined && (await isTracked(envFile, dir))) {
    printError(
      `${err.yellow('warning')} ${options.envFile} is tracked by git: .gitignore does not untrack it. Run \`git rm --cached ${options.envFile}\`, commit, and rotate every key it ever held (\`exkeys doctor\` shows the commits).`,
    );
  }

  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(envFile, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      printError(
        `${err.red('error')} ${options.envFile} already exists; exkeys never overwrites a file that may hold keys. Add keys with \`exkeys set <exchange>\`.`,
      );
      throw new CommandFailed(EXIT.failed);
    }
    throw error;
  }
  try {
    await handle.writeFile(TEMPLATE);
  } finally {
    await handle.close();
  }
  await chmod(envFile, 0o600);
  print(`${out.green('✔')} created ${options.envFile} (mode 0600)`);
  print(`Next: ${ADD_KEY_COMMAND}   (e.g. ${EXKEYS_COMMAND} set bybit)`);
}
