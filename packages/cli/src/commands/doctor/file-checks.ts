/**
 * Doctor's file checks: each file holding secrets is private, ignored by git, untracked and absent
 * from the history.
 * @module
 */
import { stat } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { commitsTouching, gitRoot, isIgnored, isTracked } from '../../git.js';
import { plural } from '../../messages.js';
import type { DoctorFinding } from './finding.js';

/** The history finding for `path`: a file deleted long ago still leaks every key it ever held. */
async function checkHistory(path: string, shown: string, root: string): Promise<DoctorFinding> {
  const commits = await commitsTouching(path, dirname(path));
  return commits.length === 0
    ? {
        id: 'history.clean',
        check: 'history',
        status: 'pass',
        message: `${shown} was never committed`,
      }
    : {
        id: 'history.committed',
        check: 'history',
        status: 'fail',
        message: `${shown} is in the git history (${plural(commits.length, 'commit')}, latest ${commits[0]?.slice(0, 12)})`,
        fix: `every key it ever held is compromised: rotate them all (exkeys rotate <exchange>), then purge it: git filter-repo --invert-paths --path ${relative(root, path)}`,
      };
}

/**
 * The file checks for `path` (`shown` in messages): mode 0600, covered by `.gitignore`, not tracked,
 * never committed. An absent file gets only the history check, since it may still leak from there.
 */
export async function checkFile(path: string, shown: string): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch {
    const root = await gitRoot(dirname(path));
    const absent: DoctorFinding = {
      id: 'exists.absent',
      check: 'exists',
      status: 'pass',
      message: `${shown} does not exist`,
    };
    return root === undefined ? [absent] : [absent, await checkHistory(path, shown, root)];
  }
  findings.push(
    (mode & 0o077) === 0
      ? {
          id: 'file-mode.private',
          check: 'file-mode',
          status: 'pass',
          message: `${shown} is private (mode ${(mode & 0o777).toString(8)})`,
        }
      : {
          id: 'file-mode.readable',
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
      id: 'git.no-repository',
      check: 'git',
      status: 'warn',
      message: `${shown} is not in a git repository: git checks skipped`,
    });
    return findings;
  }
  const fromRoot = relative(root, path);
  findings.push(
    (await isIgnored(path, dir))
      ? {
          id: 'gitignore.ignored',
          check: 'gitignore',
          status: 'pass',
          message: `${shown} is ignored by git`,
        }
      : {
          id: 'gitignore.not-ignored',
          check: 'gitignore',
          status: 'fail',
          message: `${shown} is not covered by .gitignore`,
          fix: `echo '/${fromRoot}' >> ${relative(process.cwd(), `${root}/.gitignore`) || '.gitignore'}   (or run \`exkeys init\`)`,
        },
  );
  if (await isTracked(path, dir)) {
    findings.push({
      id: 'tracked.tracked',
      check: 'tracked',
      status: 'fail',
      message: `${shown} is tracked by git`,
      fix: `git rm --cached ${shown} && git commit -m "Stop tracking ${shown}"`,
    });
  } else {
    findings.push({
      id: 'tracked.untracked',
      check: 'tracked',
      status: 'pass',
      message: `${shown} is not tracked by git`,
    });
  }
  findings.push(await checkHistory(path, shown, root));
  return findings;
}
