/**
 * Several verifications at once, for the CLI's `verify` command and the demo.
 * @module
 */
import type { KeyReport } from '../policy.js';

/** One settled verification: the report, or the error it threw. */
export type VerifyOutcome = { ok: true; report: KeyReport } | { ok: false; error: unknown };

/** A verification to run: a started promise, or a function that starts it. */
export type VerifyTask = Promise<KeyReport> | (() => Promise<KeyReport>);

/**
 * Runs every verification concurrently and waits for all of them, whatever fails.
 * @example
 * const results = await verifyAll({ bybit: () => verifyBybitKey(a), okx: () => verifyOkxKey(b) });
 * if (!results.okx.ok) console.error(results.okx.error);
 * @returns one outcome per task, under the same name.
 */
export async function verifyAll<K extends string>(
  tasks: Readonly<Record<K, VerifyTask>>,
): Promise<Record<K, VerifyOutcome>> {
  const names = Object.keys(tasks) as K[];
  const settled = await Promise.allSettled(
    names.map((name): Promise<KeyReport> => {
      const task = tasks[name];
      return typeof task === 'function' ? Promise.resolve().then(task) : task;
    }),
  );
  const out = {} as Record<K, VerifyOutcome>;
  names.forEach((name, i) => {
    const result = settled[i]!;
    out[name] =
      result.status === 'fulfilled'
        ? { ok: true, report: result.value }
        : { ok: false, error: result.reason };
  });
  return out;
}
