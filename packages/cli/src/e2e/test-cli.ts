/**
 * The preamble of every end-to-end test in this folder: builds the CLI when stale, runs the real
 * binary as a child process in temporary directories and git repositories with stdin piped (never
 * a TTY), provides canary credentials and leak checks, and says why a test needing a system tool
 * is skipped.
 */
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const root = join(packageDir, '..', '..');
/** The built binary. */
export const BIN = join(packageDir, 'dist', 'bin.js');

// Dependency order: each package's dist must be fresh before the ones that import it.
const BUILD_ORDER = ['credentials', 'sandbox', 'bybit', 'binance', 'okx', 'cli'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function builtAt(pkg: string): number {
  try {
    return statSync(join(root, 'packages', pkg, 'dist', 'index.js')).mtimeMs;
  } catch {
    return 0;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Rebuilds (tsc) every package whose sources are newer than its dist, in dependency order. Several
 * test files call this at once, so a lock directory serialises them.
 * @throws when the CLI itself does not compile.
 */
export function ensureBuilt(): void {
  const lock = join(tmpdir(), 'exkeys-cli-test-build.lock');
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 120_000) rmSync(lock, { recursive: true, force: true });
      sleepSync(100);
    }
  }
  try {
    for (const pkg of BUILD_ORDER) {
      const src = join(root, 'packages', pkg, 'src');
      const newest = newestSource(src);
      if (newest === 0 || builtAt(pkg) >= newest) continue;
      const result = spawnSync(
        process.execPath,
        [
          join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
          '-p',
          join(root, 'packages', pkg, 'tsconfig.build.json'),
        ],
        { cwd: root, encoding: 'utf8' },
      );
      if (pkg === 'cli' && result.status !== 0) {
        throw new Error(`the CLI does not compile:\n${result.stdout}${result.stderr}`);
      }
    }
    // As npm and pnpm do when they install the bin.
    chmodSync(BIN, 0o755);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A temporary project directory with its own HOME. */
export interface TempProject {
  /** The project directory (the CLI's cwd). */
  dir: string;
  /** HOME for git and the CLI. */
  home: string;
  /** Environment for child processes: PATH, HOME, git identity; no colour or CI variables. */
  env: NodeJS.ProcessEnv;
  /** Runs `git args…` in the project and returns stdout; throws on failure. */
  git(...args: string[]): string;
  /** Removes everything. */
  remove(): void;
}

/** Creates a temporary project; with `git`, a fresh repository with one identity configured. */
export function tempProject(options: { git?: boolean } = {}): TempProject {
  const base = mkdtempSync(join(tmpdir(), 'exkeys-cli-'));
  const dir = join(base, 'project');
  const home = join(base, 'home');
  mkdirSync(dir);
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const project: TempProject = {
    dir,
    home,
    env,
    git(...args) {
      const result = spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
      return result.stdout;
    },
    remove() {
      rmSync(base, { recursive: true, force: true });
    },
  };
  if (options.git) project.git('init', '-q', '-b', 'main');
  return project;
}

/** What a CLI run produced. */
export interface CliResult {
  /** Exit code (`null` when killed by a signal). */
  code: number | null;
  /** The signal that killed it. */
  signal: NodeJS.Signals | null;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Runs `exkeys args…` in `project` with `input` piped on stdin (empty when unset). */
export function exkeys(
  project: TempProject,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  const spawnOptions: SpawnOptions = {
    cwd: project.dir,
    env: { ...project.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  };
  return new Promise((resolve, reject) => {
    // `--` as in the shebang: without it Node itself would claim `--env-file <missing file>`.
    const child = spawn(process.execPath, ['--', BIN, ...args], spawnOptions);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

/** Every 8-character window of `secret`: if any appears in a text, part of the secret leaked. */
export function secretFragments(secret: string): string[] {
  const fragments: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i += 1) fragments.push(secret.slice(i, i + 8));
  return fragments;
}

/** The fragments of `secret` found in `text` (empty when nothing leaked). */
export function leakedFragments(text: string, secret: string): string[] {
  return secretFragments(secret).filter((fragment) => text.includes(fragment));
}

/** Every file under `dir` except `.git`, with its content. */
export function filesUnder(dir: string): Array<{ path: string; content: string }> {
  const files: Array<{ path: string; content: string }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '.git') files.push(...filesUnder(path));
    } else if (entry.isFile()) {
      files.push({ path, content: readFileSync(path, 'utf8') });
    }
  }
  return files;
}

// Canary credentials, shaped like the real thing so the scanner's rules apply to them.
/** A Bybit-shaped key (18 letters and digits). */
export const CANARY_BYBIT_KEY = 'CANARYkey0bybit001';
/** A Bybit-shaped secret (36 letters and digits). */
export const CANARY_BYBIT_SECRET = 'CANARYSECRET0bybit0Zq8Wm3Kx7Tn2Lp5Rv';
/** An OKX-shaped key (UUID). */
export const CANARY_OKX_KEY = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
/** An OKX-shaped secret (32 hex digits). */
export const CANARY_OKX_SECRET = 'CA7A2F5E9B3D4C1A8E6F0B2D4A9C7E31';
/** An OKX passphrase. */
export const CANARY_OKX_PASSPHRASE = 'CanaryPass-8x2Q';

/**
 * Registers the hooks every CLI test file needs (build the binary once, remove each test's project)
 * and returns the function that creates a test's project.
 */
export function cliProjects(): (options?: { git?: boolean }) => TempProject {
  let current: TempProject | undefined;
  beforeAll(() => ensureBuilt());
  afterEach(() => {
    current?.remove();
    current = undefined;
  });
  return (options) => {
    current = tempProject(options);
    return current;
  };
}

/**
 * Like {@link cliProjects}, for a file whose tests share one project (no git): built before the
 * first test, removed after the last.
 */
export function sharedCliProject(): () => TempProject {
  let project: TempProject | undefined;
  beforeAll(() => {
    ensureBuilt();
    project = tempProject();
  });
  afterAll(() => project?.remove());
  return () => {
    if (project === undefined) throw new Error('sharedCliProject() is used before beforeAll ran');
    return project;
  };
}

/**
 * Why a test that needs `commands` cannot run here (`skipped: … is not installed (apt-get install
 * …)`), or `undefined` when every command is on PATH.
 */
export function missingCommands(
  commands: readonly string[],
  debianPackages: string,
): string | undefined {
  for (const command of commands) {
    if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) {
      return `skipped: ${command} is not installed (apt-get install ${debianPackages})`;
    }
  }
  return undefined;
}
