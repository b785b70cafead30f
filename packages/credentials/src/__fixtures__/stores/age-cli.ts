// Drives Debian's `age` / `age-keygen` binaries for interop tests. `age -p` reads the passphrase from
// a TTY only, so passphrase runs happen inside a private tmux server.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

function has(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the age CLI tests cannot run here, or null when they can. */
export const ageCliMissing: string | null =
  has('age') && has('age-keygen') ? null : 'the `age` CLI is not installed (apt-get install age)';

/** Why the tmux-driven passphrase tests cannot run here, or null when they can. */
export const tmuxMissing: string | null = ageCliMissing ?? (has('tmux') ? null : 'tmux is not installed');

/** A fresh identity from `age-keygen`: the secret key line and its public recipient. */
export async function ageKeygen(): Promise<{ identity: string; recipient: string; file: string }> {
  const { stdout } = await run('age-keygen', []);
  const identity = stdout.split('\n').find((line) => line.startsWith('AGE-SECRET-KEY-1'));
  const recipient = /public key: (age1[0-9a-z]+)/.exec(stdout)?.[1];
  if (!identity || !recipient) throw new Error('unexpected age-keygen output');
  return { identity, recipient, file: stdout };
}

/** `age -d -i identityFile file` → plaintext. */
export async function ageDecryptWithIdentity(file: string, identityFile: string): Promise<string> {
  const { stdout } = await run('age', ['-d', '-i', identityFile, file]);
  return stdout;
}

/** `age -e -r … -o out in`. */
export async function ageEncryptToRecipients(
  input: string,
  output: string,
  recipients: readonly string[],
): Promise<void> {
  await run('age', ['-e', ...recipients.flatMap((r) => ['-r', r]), '-o', output, input]);
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs an `age` command line in a detached tmux pane and types `answers` at each passphrase prompt. */
export async function ageInTmux(socket: string, command: string, answers: readonly string[], done: string) {
  const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args]);
  await tmux('new-session', '-d', '-x', '200', '-y', '50', `${command}; touch ${done}; sleep 30`);
  try {
    // age redraws its prompt line in place, so wait for a prompt different from the last one answered.
    let previous = '';
    for (const answer of answers) {
      await waitFor(async () => {
        const { stdout } = await tmux('capture-pane', '-p');
        const prompt = stdout.split('\n').find((line) => /passphrase/i.test(line)) ?? '';
        if (prompt === '' || prompt === previous) return false;
        previous = prompt;
        return true;
      }, 'the age passphrase prompt');
      await tmux('send-keys', '-l', answer);
      await tmux('send-keys', 'Enter');
    }
    await waitFor(() => existsSync(done), 'age to finish');
    const { stdout } = await tmux('capture-pane', '-p');
    return stdout;
  } finally {
    await tmux('kill-server').catch(() => {});
  }
}
