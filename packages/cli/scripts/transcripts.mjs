#!/usr/bin/env node
// Regenerates the ```console transcripts of packages/cli/README.md from real runs of the built binary.
//
//   node packages/cli/scripts/transcripts.mjs           rewrite the README
//   node packages/cli/scripts/transcripts.mjs --check   exit 1, with a diff, when the README differs
//   … --readme PATH                                     another file (the tests' controls)
//
// A transcript sits between `<!-- transcript: SESSION [OPTION…] -->` and `<!-- /transcript -->`. Its
// `$ ` lines are the commands; everything else is output and is replaced. Blocks of one SESSION run in
// README order in one temporary git repository; `SESSION/NAME` starts as a copy of SESSION's folder
// as it is at that point. Options:
//   sandbox     before the session's first command, `exkeys sandbox --port P --write-env .env.sandbox`
//               runs in its folder until the end (P is shown as 8799)
//   interrupt   the command runs until it prints "Press Ctrl+C", then gets SIGINT (shown as ^C)
// Ports, today's date, ISO times, temporary paths and age's random scrypt salt are normalised.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readmeFlag = process.argv.indexOf('--readme');
const README = readmeFlag > 0 ? process.argv[readmeFlag + 1] : join(packageDir, 'README.md');
const BIN = join(packageDir, 'dist', 'bin.js');
const SHOWN_PORT = '8799';
const SHOWN_DATE = '2026-01-15';
const SHOWN_TIME = `${SHOWN_DATE}T09:30:00.000Z`;
const SHOWN_SALT = 'AAAAAAAAAAAAAAAAAAAAAA';
const REFRESH = 'node packages/cli/scripts/transcripts.mjs';
const BLOCK =
  /<!-- transcript: ([^\s>]+)((?: [a-z]+)*) -->\n```console\n([\s\S]*?)```\n<!-- \/transcript -->/g;

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(String(port)));
    });
  });

/** Runs one shell command line; resolves to everything it printed (stdout and stderr in order). */
function runCommand(command, session, { interrupt = false } = {}) {
  return new Promise((resolve, reject) => {
    // An interrupted command replaces the shell, so that SIGINT reaches exkeys alone, as Ctrl+C reaches a
    // foreground command, and never a shell that is still between two steps.
    const child = spawn('bash', ['-c', `exec 2>&1; ${interrupt ? 'exec ' : ''}${command}`], {
      cwd: session.dir,
      env: session.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let interrupted = false;
    const timer = setTimeout(() => {
      process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`timed out after 60 s: ${command}\n${output}`));
    }, 60_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (interrupt && !interrupted && output.includes('Press Ctrl+C')) {
        interrupted = true;
        output += '^C\n';
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(`${output}[exit ${code ?? (signal === 'SIGINT' ? 130 : signal)}]\n`);
    });
  });
}

/** Starts `exkeys sandbox --write-env .env.sandbox` in the session's folder; resolves once it listens. */
async function startSandbox(session) {
  const child = spawn(
    process.execPath,
    ['--', BIN, 'sandbox', '--port', session.port, '--write-env', '.env.sandbox'],
    {
      cwd: session.dir,
      env: session.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`exkeys sandbox did not start:\n${output}`)),
      30_000,
    );
    const seen = (chunk) => {
      output += chunk;
      if (output.includes('Press Ctrl+C')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => reject(new Error(`exkeys sandbox exited ${code}:\n${output}`)));
  });
  return child;
}

async function newSession(base, name, parent) {
  const dir = join(base, name.replace(/\//g, '-'));
  const home = join(base, `${name.replace(/\//g, '-')}-home`);
  mkdirSync(home, { recursive: true });
  const binDir = join(base, 'bin');
  mkdirSync(binDir, { recursive: true });
  writeFileSync(
    join(binDir, 'exkeys'),
    `#!/bin/sh\nexec "${process.execPath}" -- "${BIN}" "$@"\n`,
    { mode: 0o755 },
  );
  const env = {
    PATH: `${binDir}:${process.env.PATH}`,
    HOME: home,
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    NO_COLOR: '1',
    GIT_AUTHOR_NAME: 'Bot Author',
    GIT_AUTHOR_EMAIL: 'bot@example.com',
    GIT_COMMITTER_NAME: 'Bot Author',
    GIT_COMMITTER_EMAIL: 'bot@example.com',
    GIT_AUTHOR_DATE: SHOWN_TIME,
    GIT_COMMITTER_DATE: SHOWN_TIME,
    GIT_CONFIG_NOSYSTEM: '1',
  };
  if (parent) {
    cpSync(parent.dir, dir, { recursive: true });
  } else {
    mkdirSync(dir);
    const init = spawn('git', ['init', '-q', '-b', 'main'], {
      cwd: dir,
      env: { ...env, PATH: process.env.PATH },
    });
    await new Promise((resolve) => init.on('close', resolve));
  }
  return { dir, home, env, port: await freePort(), sandbox: undefined, base };
}

// The last replacement: rotate --auto labels each new key with a random rotation id.
function normalise(text, session, base) {
  const today = new Date().toISOString().slice(0, 10);
  return text
    .replaceAll(`127.0.0.1:${session.port}`, `127.0.0.1:${SHOWN_PORT}`)
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z\b/g, SHOWN_TIME)
    .replaceAll(today, SHOWN_DATE)
    .replaceAll(`${session.dir}/`, '')
    .replaceAll(base, '/tmp/exkeys-transcripts')
    .replace(/^-> scrypt [A-Za-z0-9+/]{22} /gm, `-> scrypt ${SHOWN_SALT} `)
    .replace(/\bexkeys-([a-z0-9]+)-[0-9a-f]{8}\b/g, 'exkeys-$1-0c1d2e3f');
}

/** The transcript of one block: each command, its output and its exit code. */
async function regenerate(body, session, options, base) {
  const commands = body
    .split('\n')
    .filter((line) => line.startsWith('$ '))
    .map((line) => line.slice(2));
  if (commands.length === 0) throw new Error(`a transcript without a "$ " command:\n${body}`);
  const parts = [];
  for (const shown of commands) {
    const command = shown
      .replaceAll(`127.0.0.1:${SHOWN_PORT}`, `127.0.0.1:${session.port}`)
      .replaceAll(` ${SHOWN_PORT}`, ` ${session.port}`);
    const output = await runCommand(command, session, { interrupt: options.includes('interrupt') });
    parts.push(`$ ${shown}\n${normalise(output, session, base)}`);
  }
  return parts.join('\n');
}

/** The README with every transcript regenerated. */
export async function regenerateReadme(text = readFileSync(README, 'utf8')) {
  const base = mkdtempSync(join(tmpdir(), 'exkeys-transcripts-'));
  const sessions = new Map();
  try {
    const replacements = [];
    for (const match of text.matchAll(BLOCK)) {
      const [whole, name, rawOptions, body] = match;
      const options = rawOptions.trim().split(' ').filter(Boolean);
      let session = sessions.get(name);
      if (!session) {
        const parentName = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : undefined;
        const parent = parentName === undefined ? undefined : sessions.get(parentName);
        if (parentName !== undefined && !parent)
          throw new Error(`transcript ${name}: no session ${parentName} before it`);
        session = await newSession(base, name, parent);
        sessions.set(name, session);
      }
      if (options.includes('sandbox') && !session.sandbox)
        session.sandbox = await startSandbox(session);
      const transcript = await regenerate(body, session, options, base);
      replacements.push([whole, whole.replace(body, transcript)]);
    }
    if (replacements.length === 0) throw new Error('no <!-- transcript: … --> block found');
    let result = text;
    for (const [from, to] of replacements) result = result.replace(from, () => to);
    return result;
  } finally {
    for (const session of sessions.values()) session.sandbox?.kill('SIGTERM');
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const current = readFileSync(README, 'utf8');
  const fresh = await regenerateReadme(current);
  if (process.argv.includes('--check')) {
    if (fresh !== current) {
      const a = current.split('\n');
      const b = fresh.split('\n');
      const first = a.findIndex((line, i) => line !== b[i]);
      console.error(`${README}: the transcripts differ from a real run from line ${first + 1}:`);
      console.error(
        `- ${a.slice(first, first + 5).join('\n- ')}\n+ ${b.slice(first, first + 5).join('\n+ ')}`,
      );
      console.error(`Refresh them with: ${REFRESH}`);
      process.exit(1);
    }
    console.log(`${README}: every transcript matches a real run.`);
  } else {
    writeFileSync(README, fresh);
    console.log(
      `${README}: ${fresh === current ? 'transcripts already up to date' : 'transcripts regenerated'}.`,
    );
  }
}
