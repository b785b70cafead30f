/**
 * The raw values behind `exkeys scan` findings, kept only for `--verify`, apart from the findings.
 * @module
 */
import type { Finding } from './finding.js';

/** A value a pass(phrase|word) assignment holds, kept for `scan --verify` (OKX keys need one). */
export interface PassphraseCandidate {
  /** 1-based line number. */
  line: number;
  /** The value assigned. */
  value: string;
}

/**
 * The raw values behind findings, kept (only with `scan --verify`) so the found credentials can be
 * checked live. Held apart from the findings, which carry masked previews only; its fields are
 * private, so printing or serialising it shows nothing.
 */
export class FoundValues {
  readonly #values = new WeakMap<Finding, string>();
  readonly #passphrases = new Map<string, PassphraseCandidate[]>();

  /** Remembers the value behind `finding`. */
  keep(finding: Finding, value: string): void {
    this.#values.set(finding, value);
  }

  /** The value behind `finding`, when it was kept. */
  valueOf(finding: Finding): string | undefined {
    return this.#values.get(finding);
  }

  /** Remembers a passphrase candidate found in `where`. */
  keepPassphrase(where: { file: string; commit?: string }, candidate: PassphraseCandidate): void {
    const id = placeOf(where);
    this.#passphrases.set(id, [...(this.#passphrases.get(id) ?? []), candidate]);
  }

  /** The passphrase candidates found in `where` (a file, or a file in one commit). */
  passphrasesIn(where: { file: string; commit?: string }): readonly PassphraseCandidate[] {
    return this.#passphrases.get(placeOf(where)) ?? [];
  }

  /** Never shows a value. */
  toJSON(): string {
    return '[FoundValues]';
  }
}

/** One key for a file, or a file in one commit. */
export function placeOf(where: { file: string; commit?: string }): string {
  return `${where.commit ?? ''}\0${where.file}`;
}
