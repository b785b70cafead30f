/**
 * The few git questions the CLI asks: is this a repository, is a file ignored, tracked, or in
 * history. Runs the real `git` binary; no output of it is ever a secret we print.
 * @module
 */
import { spawn } from 'node:child_process';

/** What a git invocation returned. */
export interface GitResult {
  /** Exit code; 127 when git is not installed. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Runs `git args…` in `cwd` and collects its output. Never throws. */
export function git(args: readonly string[], cwd: string): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', () => resolve({ code: 127, stdout: '', stderr: 'git is not installed' }));
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
  });
}

/** The top directory of the git work tree containing `cwd`, or `undefined` outside one. */
export async function gitRoot(cwd: string): Promise<string | undefined> {
  const result = await git(['rev-parse', '--show-toplevel'], cwd);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** True when `.gitignore` rules cover `path` (`git check-ignore`). */
export async function isIgnored(path: string, cwd: string): Promise<boolean> {
  return (await git(['check-ignore', '-q', '--', path], cwd)).code === 0;
}

/** True when `path` is in the index (`git ls-files`). */
export async function isTracked(path: string, cwd: string): Promise<boolean> {
  const result = await git(['ls-files', '--', path], cwd);
  return result.code === 0 && result.stdout.trim() !== '';
}

/** Every commit, on any ref, that added, changed or removed `path`. Newest first. */
export async function commitsTouching(path: string, cwd: string): Promise<string[]> {
  const result = await git(['log', '--all', '--format=%H', '--', path], cwd);
  if (result.code !== 0) return [];
  return result.stdout.split('\n').filter((line) => line !== '');
}
