/**
 * What every doctor check returns.
 * @module
 */

/** One result of a check. */
export interface DoctorFinding {
  /** Which check: `gitignore`, `tracked`, `history`, `file-mode`, `symlink`, `hard-link`, `leftover`, `valid`, `age`, `shared`, `live`. */
  check: string;
  /** `fail` exits 1; `warn` is advice. */
  status: 'pass' | 'warn' | 'fail';
  /** What was found. */
  message: string;
  /** How to fix it. */
  fix?: string;
}
