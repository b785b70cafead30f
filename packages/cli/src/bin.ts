#!/usr/bin/env node
/**
 * The `exkeys` executable. Refuses secrets passed as arguments before anything parses argv, then runs
 * the command and maps what happened to an exit code (0 ok, 1 check failed, 2 usage error).
 *
 * The shebang is plain `#!/usr/bin/env node` because BusyBox `env` (Alpine images) has no `-S`.
 * It used to be `env -S node --`: Node (20 to at least 26) scans its whole argv, the script's
 * arguments included, for `--env-file` up to the first `--`, before any JavaScript runs. For a file
 * that does not exist it exits 9 (`node: <file>: not found`); for one that exists it applies a
 * `NODE_OPTIONS` line from it to this process. No code here can undo what Node already did, so the
 * bin checks what it can: an `--env-file` whose file sets `NODE_OPTIONS` is refused (exit 2). Start
 * the file as `node -- <bin> …` to keep Node out of the arguments entirely.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { CommanderError } from 'commander';
import { CommandFailed, EXIT } from './exit-codes.js';
import { createProgram } from './program.js';
import {
  findSecretArgument,
  redactEchoedArguments,
  secretArgumentMessage,
} from './secret-arguments.js';

const args = process.argv.slice(2);
const nodeOptionsFile = envFileSettingNodeOptions(args);
if (nodeOptionsFile !== undefined) {
  process.stderr.write(
    `exkeys: ${nodeOptionsFile} sets NODE_OPTIONS. Node applies NODE_OPTIONS from a file named by --env-file ` +
      'to the process it starts, before exkeys runs. exkeys never needs it: remove that line from the file, ' +
      'then run the command again.\n',
  );
  process.exit(EXIT.usage);
}
const secretOption = findSecretArgument(args);
if (secretOption !== undefined) {
  process.stderr.write(`${secretArgumentMessage(secretOption)}\n`);
  process.exit(EXIT.usage);
}

/**
 * The first `--env-file` file (as Node's own scan finds them, up to the first `--`) that sets
 * `NODE_OPTIONS`, or `undefined`. Reads only variable names; a file that cannot be read is left to
 * the command, which reports it.
 */
function envFileSettingNodeOptions(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return undefined;
    let file: string | undefined;
    if (arg === '--env-file' || arg === '--env-file-if-exists') file = argv[i + 1];
    else if (/^--env-file(-if-exists)?=/.test(arg)) file = arg.slice(arg.indexOf('=') + 1);
    if (file === undefined) continue;
    let text: string;
    try {
      // Only a regular file of sane size is worth a look: /dev/zero or a FIFO would never end, and
      // the command itself refuses them with a typed error.
      const info = statSync(file);
      if (!info.isFile() || info.size > 1024 * 1024) continue;
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (/^[ \t]*(export[ \t]+)?NODE_OPTIONS[ \t]*[=:]/m.test(text)) return file;
  }
  return undefined;
}

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

try {
  await createProgram(version).parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed the (redacted) message; help (also bare `exkeys`) and --version exit 0.
    const help = error.code === 'commander.help' || error.code === 'commander.helpDisplayed';
    process.exitCode = error.exitCode === 0 || help ? EXIT.ok : EXIT.usage;
  } else {
    const { exitCodeFor } = await import('./error-exit-code.js');
    const code = exitCodeFor(error);
    if (!(error instanceof CommandFailed)) {
      const message = error instanceof Error ? error.message : String(error);
      // A usage error may quote an argument back; a secret pasted in the wrong place must not be.
      const shown = code === EXIT.usage ? await redactEchoedArguments(message, args) : message;
      process.stderr.write(`exkeys: ${shown}\n`);
    }
    process.exitCode = code;
  }
}
