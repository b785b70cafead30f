/**
 * What `exkeys scan` reports: one leaked credential, masked, and with `--verify` what the exchange
 * said of it.
 * @module
 */
import type { ValueEncoding } from './leak-rules.js';

/** One leaked credential. Holds a masked preview only. */
export interface Finding {
  /** Path relative to the current directory (working tree) or to the repository root (history). */
  file: string;
  /** 1-based line number. */
  line: number;
  /** The commit that added the line, for history finds. */
  commit?: string;
  /** The rule that matched, or `configured-value`. */
  rule: string;
  /** The exchange concerned; `''` for a private key with no exchange name nearby. */
  exchange: string;
  /** For configured values: the variable whose value leaked. */
  variable?: string;
  /** For configured values found encoded: how. */
  encoding?: ValueEncoding;
  /** First ≤6 characters of a key, or `[redacted]` for a secret. */
  preview: string;
  /** With `scan --verify`: what the exchange said of the credential. */
  verification?: FindingVerification;
}

/** How `scan --verify` ranks a finding, from least to most dangerous; see `scan-verify.ts`. */
export type VerificationRank = 'invalid' | 'unverifiable' | 'valid' | 'can-trade' | 'can-withdraw';

/** What `scan --verify` learned about one finding. Holds no secret. */
export interface FindingVerification {
  /** The rank. */
  rank: VerificationRank;
  /** Why it is `invalid` or `unverifiable`; for the others, which findings were paired. */
  reason: string;
}
