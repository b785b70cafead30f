/**
 * `exkeys doctor`: key hygiene. Secret files ignored by git, untracked, absent from history, mode
 * 0600; keys valid, not stale, not shared; with `--live`, no key able to withdraw. Every finding says
 * how to fix it; any failure exits 1.
 * @module
 */
import { stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { listConfiguredExchanges, parseVariableName } from '@exkeys/credentials';
import { CommandFailed, EXIT } from '../exit-codes.js';
import { commitsTouching, gitRoot, isIgnored, isTracked } from '../git.js';
import { parseMaxAge, validateIn } from '../key-status.js';
import { type EndpointOptions, endpointFrom, verifyMany } from '../live-verification.js';
import type { StoreOptions } from '../program.js';
import {
  configuredPairs,
  loadPrivateEnv,
  type PrivateEnv,
  type SelectedStore,
  selectStore,
} from '../store-selection.js';
import { out, print, printJson, startProgress } from '../terminal.js';

/** Options of `exkeys doctor`. */
export interface DoctorOptions extends StoreOptions, EndpointOptions {
  /** Also verify keys live. */
  live?: boolean;
  /** Days after which a key fails. */
  maxAge: string;
}

/** One result of a check. */
export interface DoctorFinding {
  /** Which check: `gitignore`, `tracked`, `history`, `file-mode`, `valid`, `age`, `shared`, `live`. */
  check: string;
  /** `fail` exits 1; `warn` is advice. */
  status: 'pass' | 'warn' | 'fail';
  /** What was found. */
  message: string;
  /** How to fix it. */
  fix?: string;
}

/** The history finding for `path`: a file deleted long ago still leaks every key it ever held. */
async function checkHistory(path: string, shown: string, root: string): Promise<DoctorFinding> {
  const commits = await commitsTouching(path, dirname(path));
  return commits.length === 0
    ? { check: 'history', status: 'pass', message: `${shown} was never committed` }
    : {
        check: 'history',
        status: 'fail',
        message: `${shown} is in the git history (${commits.length} commit${commits.length === 1 ? '' : 's'}, latest ${commits[0]?.slice(0, 12)})`,
        fix: `every key it ever held is compromised: rotate them all (exkeys rotate <exchange>), then purge it: git filter-repo --invert-paths --path ${relative(root, path)}`,
      };
}

async function checkFile(path: string, shown: string): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch {
    const root = await gitRoot(dirname(path));
    const absent: DoctorFinding = {
      check: 'exists',
      status: 'pass',
      message: `${shown} does not exist`,
    };
    return root === undefined ? [absent] : [absent, await checkHistory(path, shown, root)];
  }
  findings.push(
    (mode & 0o077) === 0
      ? {
          check: 'file-mode',
          status: 'pass',
          message: `${shown} is private (mode ${(mode & 0o777).toString(8)})`,
        }
      : {
          check: 'file-mode',
          status: 'fail',
          message: `${shown} is readable by other users (mode ${(mode & 0o777).toString(8)})`,
          fix: `chmod 600 ${shown}`,
        },
  );
  const dir = dirname(path);
  const root = await gitRoot(dir);
  if (root === undefined) {
    findings.push({
      check: 'git',
      status: 'warn',
      message: `${shown} is not in a git repository: git checks skipped`,
    });
    return findings;
  }
  const fromRoot = relative(root, path);
  findings.push(
    (await isIgnored(path, dir))
      ? { check: 'gitignore', status: 'pass', message: `${shown} is ignored by git` }
      : {
          check: 'gitignore',
          status: 'fail',
          message: `${shown} is not covered by .gitignore`,
          fix: `echo '/${fromRoot}' >> ${relative(process.cwd(), `${root}/.gitignore`) || '.gitignore'}   (or run \`exkeys init\`)`,
        },
  );
  if (await isTracked(path, dir)) {
    findings.push({
      check: 'tracked',
      status: 'fail',
      message: `${shown} is tracked by git`,
      fix: `git rm --cached ${shown} && git commit -m "Stop tracking ${shown}"`,
    });
  } else {
    findings.push({ check: 'tracked', status: 'pass', message: `${shown} is not tracked by git` });
  }
  findings.push(await checkHistory(path, shown, root));
  return findings;
}

function sharedValues(env: PrivateEnv): DoctorFinding[] {
  const holders = new Map<string, string[]>();
  for (const [name, value] of Object.entries(env)) {
    const parsed = parseVariableName(name);
    if (!parsed || parsed.field === 'passphrase' || !value || value.length < 8) continue;
    holders.set(value, [...(holders.get(value) ?? []), name]);
  }
  const shared = [...holders.values()].filter((names) => names.length > 1);
  if (shared.length === 0) {
    return [
      {
        check: 'shared',
        status: 'pass',
        message: 'no key or secret is shared between profiles or exchanges',
      },
    ];
  }
  return shared.map((names) => ({
    check: 'shared',
    status: 'fail',
    message: `${names.join(', ')} hold the same value`,
    fix: 'create one dedicated key per bot and exchange, so one leak or revocation does not hit the others',
  }));
}

async function checkKeys(
  store: SelectedStore,
  env: PrivateEnv,
  maxAge: number,
): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  const pairs = configuredPairs(env);
  if (pairs.length === 0) {
    return [
      {
        check: 'valid',
        status: 'warn',
        message: `no exchange keys in ${store.location}`,
        fix: 'exkeys set <exchange>',
      },
    ];
  }
  const ages = new Map(
    (await listConfiguredExchanges(store.target)).map((row) => [
      `${row.exchange}/${row.profile}`,
      row,
    ]),
  );
  for (const { exchange, profile } of pairs) {
    const name = `${exchange} (${profile})`;
    const flag = profile === 'default' ? '' : ` --profile ${profile}`;
    const result = validateIn(env, exchange, profile);
    if (result.valid)
      findings.push({ check: 'valid', status: 'pass', message: `${name} passes static checks` });
    for (const issue of result.errors) {
      findings.push({
        check: 'valid',
        status: 'fail',
        message: issue.message,
        fix: `exkeys set ${exchange}${flag}`,
      });
    }
    for (const issue of result.warnings)
      findings.push({ check: 'valid', status: 'warn', message: issue.message });
    const row = ages.get(`${exchange}/${profile}`);
    if (row?.ageDays === null || row === undefined) {
      findings.push({
        check: 'age',
        status: 'warn',
        message: `${name}: rotation time unknown (the key was not written by exkeys)`,
        fix: `exkeys rotate ${exchange}${flag}`,
      });
    } else if (row.ageDays > maxAge) {
      findings.push({
        check: 'age',
        status: 'fail',
        message: `${name}: key is ${row.ageDays} days old (max ${maxAge})`,
        fix: `exkeys rotate ${exchange}${flag}`,
      });
    } else {
      findings.push({
        check: 'age',
        status: 'pass',
        message: `${name}: key is ${row.ageDays} days old`,
      });
    }
  }
  findings.push(...sharedValues(env));
  return findings;
}

async function checkLive(env: PrivateEnv, options: DoctorOptions): Promise<DoctorFinding[]> {
  const pairs = configuredPairs(env);
  if (pairs.length === 0) return [];
  const progress = startProgress(
    `Verifying ${pairs.length} key${pairs.length === 1 ? '' : 's'} live…`,
  );
  const results = await verifyMany(env, pairs, endpointFrom(options), { purpose: 'trade' }).finally(
    () => progress.stop(),
  );
  return results.flatMap((result): DoctorFinding[] => {
    const name = `${result.exchange} (${result.profile})`;
    const rotate = `exkeys rotate ${result.exchange}${result.profile === 'default' ? '' : ` --profile ${result.profile}`}`;
    const warnings = result.warnings.map(
      (warning): DoctorFinding => ({ check: 'live', status: 'warn', message: warning }),
    );
    if (result.ok) {
      return [
        { check: 'live', status: 'pass', message: `${name}: verified, cannot withdraw` },
        ...warnings,
      ];
    }
    return [
      {
        check: 'live',
        status: 'fail',
        message: `${name}: ${result.error?.message ?? 'verification failed'}`,
        fix:
          result.error?.code === 'unsafe-key'
            ? `revoke it on the exchange, create a key without withdraw permission, then ${rotate}`
            : `check the key on the exchange, then ${rotate}`,
      },
      ...warnings,
    ];
  });
}

/** Runs `exkeys doctor`. */
export async function doctorCommand(options: DoctorOptions): Promise<void> {
  const maxAge = parseMaxAge(options.maxAge);
  const store = await selectStore(options);
  const findings: DoctorFinding[] = [];
  // The .env file and its default keystore are checked whichever store is in use: after
  // `exkeys encrypt`, a .env committed long ago still leaks from the history.
  const envFile = resolve(options.envFile);
  const files = new Set([...store.files, envFile, `${envFile}.age`]);
  for (const file of files) {
    const found = await checkFile(file, relative(process.cwd(), file) || file);
    const extra = !store.files.includes(file) && found[0]?.check === 'exists';
    // An absent file outside the store in use is only worth a line when its history leaks.
    findings.push(...(extra ? found.filter((finding) => finding.status !== 'pass') : found));
  }
  const env = await loadPrivateEnv(store);
  findings.push(...(await checkKeys(store, env, maxAge)));
  if (options.live) findings.push(...(await checkLive(env, options)));

  const failures = findings.filter((finding) => finding.status === 'fail').length;
  const warnings = findings.filter((finding) => finding.status === 'warn').length;
  if (options.json) {
    printJson(findings);
  } else {
    const mark = { pass: out.green('✔'), warn: out.yellow('!'), fail: out.red('✖') } as const;
    for (const finding of findings) {
      print(`${mark[finding.status]} ${finding.message}`);
      if (finding.fix && finding.status !== 'pass') print(`    ${out.dim('fix:')} ${finding.fix}`);
    }
    print();
    print(
      failures === 0
        ? out.green(
            `No problems found${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}.`,
          )
        : out.red(
            `${failures} problem${failures === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`,
          ),
    );
  }
  if (failures > 0) throw new CommandFailed(EXIT.failed);
}
