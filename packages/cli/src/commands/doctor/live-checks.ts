/**
 * Doctor's live check (`--live`): the exchanges confirm each key, and none can withdraw; then the
 * expiry checks of `key-expiry.ts` on what they reported.
 * @module
 */

import type { DoctorFinding } from '../../doctor-finding.js';
import { checkExpiry } from '../../key-expiry.js';
import { describeTarget, endpointFrom, verifyMany } from '../../live-verification.js';
import { plural, profileFlag } from '../../messages.js';
import {
  type AllowPermissionOptions,
  type EndpointOptions,
  parseAllowPermissions,
} from '../../options.js';
import { configuredPairs, type PrivateEnv } from '../../store-selection.js';
import { printError, startProgress } from '../../terminal.js';

/**
 * With `--live`: every key verified by its exchange, and refused when it can withdraw; then the
 * expiry findings, failing keys that expire within `expiresWithin` days.
 */
export async function checkLive(
  env: PrivateEnv,
  endpoint: EndpointOptions & AllowPermissionOptions,
  expiresWithin = 14,
): Promise<DoctorFinding[]> {
  const pairs = configuredPairs(env);
  if (pairs.length === 0) return [];
  const target = endpointFrom(endpoint, { ...env, ...process.env });
  printError(describeTarget(target, endpoint, 'the store'));
  const progress = startProgress(`Verifying ${plural(pairs.length, 'key')} live…`);
  const results = await verifyMany(env, pairs, target, {
    purpose: 'trade',
    allowPermissions: parseAllowPermissions(endpoint.allowPermission),
    acceptUnchecked: endpoint.acceptUnchecked ?? [],
  }).finally(() => progress.stop());
  const verified = results.flatMap((result): DoctorFinding[] => {
    const name = `${result.exchange} (${result.profile})`;
    const rotate = `exkeys rotate ${result.exchange}${profileFlag(result.profile)}`;
    const warnings = result.warnings.map(
      (warning): DoctorFinding => ({
        id: 'live.warning',
        check: 'live',
        status: 'warn',
        message: warning,
      }),
    );
    if (result.ok) {
      return [
        {
          id: 'live.ok',
          check: 'live',
          status: 'pass',
          message: `${name}: verified, cannot withdraw`,
        },
        ...warnings,
      ];
    }
    return [
      {
        id: result.error?.code === 'unsafe-key' ? 'live.unsafe' : 'live.failed',
        check: 'live',
        status: 'fail',
        message: `${name}: ${result.error?.message ?? 'verification failed'}`,
        fix:
          result.error?.code !== 'unsafe-key'
            ? `check the key on the exchange, then ${rotate}`
            : result.error.reason === 'unchecked'
              ? `the exchange does not report it: check the key on the exchange's API page, then accept it with ${(result.report?.unchecked ?? []).map((fact) => `--accept-unchecked ${fact}`).join(' ')}`
              : `revoke it on the exchange, create a key without withdraw permission, then ${rotate}`,
      },
      ...warnings,
    ];
  });
  return [...verified, ...checkExpiry(results, env, expiresWithin)];
}
