/**
 * How doctor shows its findings: one line each with its fix, then a summary; or JSON.
 * @module
 */

import type { DoctorFinding } from '../../doctor-finding.js';
import { plural } from '../../messages.js';
import { out, print, printJson } from '../../terminal.js';

/** Prints `findings` (as JSON with `json`) and returns how many failed. */
export function printFindings(findings: readonly DoctorFinding[], json: boolean): number {
  const failures = findings.filter((finding) => finding.status === 'fail').length;
  const warnings = findings.filter((finding) => finding.status === 'warn').length;
  if (json) {
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
        ? out.green(`No problems found${warnings > 0 ? ` (${plural(warnings, 'warning')})` : ''}.`)
        : out.red(`${plural(failures, 'problem')}, ${plural(warnings, 'warning')}.`),
    );
  }
  return failures;
}
