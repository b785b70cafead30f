/**
 * Doctor's file checks: each file holding secrets is private, ignored by git, untracked and absent
 * from the history.
 * @module
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { listTemporaryFiles } from '@exkeys/credentials';
import type { DoctorFinding } from '../../doctor-finding.js';
import { commitsTouching, gitRoot, isIgnored, isTracked } from '../../git.js';
import { plural } from '../../messages.js';

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

function shownPath(path: string): string {
  return relative(process.cwd(), path) || path;
}

/**
 * Where else the keys of `path` live: the file a symlink leads to, other hard links of the file, and
 * temporary files a writer killed mid-write left next to it (each holds secrets).
 */
async function checkLinks(path: string, shown: string): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  const info = await lstat(path).catch(() => undefined);
  let target = path;
  if (info?.isSymbolicLink()) {
    target = await realpath(path).catch(() => path);
    findings.push({
      id: 'symlink.linked',
      check: 'symlink',
      status: 'warn',
      message: `${shown} is a symlink to ${shownPath(target)}, which holds the keys`,
      fix: `check that ${shownPath(target)} is private and ignored by git; \`exkeys encrypt\` deletes both the link and the file`,
    });
  }
  const file = await stat(path).catch(() => undefined);
  if (file !== undefined && file.nlink > 1) {
    findings.push({
      id: 'hard-link.linked',
      check: 'hard-link',
      status: 'fail',
      message: `${shown} has ${file.nlink - 1} other hard link(s): the same keys under other names`,
      fix: `find them with \`find / -xdev -inum ${file.ino}\` and delete the ones you do not need`,
    });
  }
  for (const temporary of await listTemporaryFiles(target)) {
    findings.push({
      id: 'leftover.temporary-file',
      check: 'leftover',
      status: 'fail',
      message: `${shownPath(temporary)} was left by a writer killed mid-write and may hold keys`,
      fix: `rm ${shownPath(temporary)}   (exkeys removes it on its next write once its process is gone)`,
    });
  }
  return findings;
}

/**
 * The file checks for `path` (`shown` in messages): mode 0600, covered by `.gitignore`, not tracked,
 * never committed, not a symlink or hard link, no leftover temporary files. An absent file gets only
 * the history check, since it may still leak from there.
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
  findings.push(...(await checkLinks(path, shown)));
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
