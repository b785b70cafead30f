/**
 * The scan baseline: the fingerprints of findings a team has looked at and accepted (test fixtures,
 * keys already revoked), so that `exkeys scan` reports only new ones. Written by
 * `exkeys scan --baseline write`, read from `.exkeys-baseline.json` at the repository root (or the
 * file `--baseline` names). Holds fingerprints only: no path, line or value.
 * @module
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from './exit-codes.js';

/** The baseline's file name, at the repository root. */
export const BASELINE_FILE = '.exkeys-baseline.json';

interface BaselineFile {
  version: 1;
  fingerprints: string[];
}

/**
 * The fingerprints in the baseline at `path`; an empty set when the file does not exist.
 * @throws {UsageError} when the file cannot be read or is not a baseline exkeys wrote: a broken
 * baseline must not silently hide findings, nor silently show all of them.
 */
export function readBaseline(path: string): Set<string> {
  if (!existsSync(path)) return new Set();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `Cannot read the scan baseline ${path} (${(error as Error).message.split('\n')[0]}): fix it or write it again with exkeys scan --baseline write.`,
    );
  }
  const file = parsed as Partial<BaselineFile> | null;
  if (
    file === null ||
    typeof file !== 'object' ||
    file.version !== 1 ||
    !Array.isArray(file.fingerprints) ||
    !file.fingerprints.every((print) => typeof print === 'string' && /^[0-9a-f]{32}$/.test(print))
  ) {
    throw new UsageError(
      `${path} is not an exkeys scan baseline (version 1, a list of fingerprints): write it again with exkeys scan --baseline write.`,
    );
  }
  return new Set(file.fingerprints);
}

/** Writes `fingerprints` to `path` atomically (temporary file renamed over it), mode 0600. */
export function writeBaseline(path: string, fingerprints: Iterable<string>): void {
  const body: BaselineFile = { version: 1, fingerprints: [...new Set(fingerprints)].sort() };
  const temp = join(
    dirname(path),
    `.${Date.now().toString(36)}.${process.pid}.exkeys-baseline.tmp`,
  );
  try {
    writeFileSync(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}
