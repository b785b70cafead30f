/**
 * What every doctor check returns, and the stable ids of its finding kinds (listed in the README).
 * @module
 */

/**
 * The stable id of a kind of finding, `<check>.<outcome>`. Scripts and webhooks switch on it; the
 * message may change wording, the id does not.
 */
export type DoctorFindingId =
  // file-checks.ts
  | 'exists.absent'
  | 'file-mode.private'
  | 'file-mode.readable'
  | 'git.no-repository'
  | 'gitignore.ignored'
  | 'gitignore.not-ignored'
  | 'tracked.untracked'
  | 'tracked.tracked'
  | 'history.clean'
  | 'history.committed'
  // key-checks.ts, shared-checks.ts
  | 'valid.no-keys'
  | 'valid.ok'
  | 'valid.invalid'
  | 'valid.warning'
  | 'age.unknown'
  | 'age.stale'
  | 'age.ok'
  | 'shared.none'
  | 'shared.same-value'
  | 'admin.beside-bot-keys'
  // live-checks.ts
  | 'live.ok'
  | 'live.unsafe'
  | 'live.failed'
  | 'live.warning'
  // key-expiry.ts
  | 'expiry.soon'
  | 'expiry.expired'
  | 'expiry.ok'
  | 'lapse.okx-inactivity'
  | 'lapse.kucoin-inactivity'
  | 'lapse.bybit-unbound'
  | 'symlink.linked'
  | 'hard-link.linked'
  | 'leftover.temporary-file';

/** One result of a check. */
export interface DoctorFinding {
  /** The kind of finding, stable across versions (see {@link DoctorFindingId}). */
  id: DoctorFindingId;
  /** Which check: `gitignore`, `tracked`, `history`, `file-mode`, `symlink`, `hard-link`, `leftover`, `valid`, `age`, `shared`, `live`, `expiry`, `lapse`. */
  check: string;
  /** `fail` exits 1; `warn` is advice. */
  status: 'pass' | 'warn' | 'fail';
  /** What was found. */
  message: string;
  /** How to fix it. */
  fix?: string;
  /** For findings about one key: its exchange, profile and at most the first 6 characters of its id. */
  key?: { exchange: string; profile: string; preview: string };
  /** For expiry and lapse findings: the date (ISO 8601) the key expires or may be deleted. */
  date?: string;
}
