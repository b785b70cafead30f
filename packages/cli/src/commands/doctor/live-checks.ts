/**
 * Doctor's live check (`--live`): the exchanges confirm each key, and none can withdraw.
 * @module
 */
import { endpointFrom, verifyMany } from '../../live-verification.js';
import { plural, profileFlag } from '../../messages.js';
import type { EndpointOptions } from '../../options.js';
import { configuredPairs, type PrivateEnv } from '../../store-selection.js';
import { startProgress } from '../../terminal.js';
import type { DoctorFinding } from './finding.js';

/** With `--live`: every key verified by its exchange, and refused when it can withdraw. */
export async function checkLive(
  env: PrivateEnv,
  endpoint: EndpointOptions,
): Promise<DoctorFinding[]> {
  const pairs = configuredPairs(env);
  if (pairs.length === 0) return [];
  const progress = startProgress(`Verifying ${plural(pairs.length, 'key')} live…`);
  const results = await verifyMany(env, pairs, endpointFrom(endpoint), {
    purpose: 'trade',
  }).finally(() => progress.stop());
  return results.flatMap((result): DoctorFinding[] => {
    const name = `${result.exchange} (${result.profile})`;
    const rotate = `exkeys rotate ${result.exchange}${profileFlag(result.profile)}`;
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
