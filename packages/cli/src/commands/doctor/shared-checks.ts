/**
 * Doctor's shared-key check: one dedicated key per bot and exchange.
 * @module
 */
import { parseVariableName } from '@exkeys/credentials';
import type { DoctorFinding } from '../../doctor-finding.js';
import type { PrivateEnv } from '../../store-selection.js';

/** Fails every key or secret that two variables hold: one leak or revocation would hit both. */
export function sharedValues(env: PrivateEnv): DoctorFinding[] {
  const holders = new Map<string, string[]>();
  for (const [name, value] of Object.entries(env)) {
    const parsed = parseVariableName(name);
    if (!parsed || parsed.field === 'passphrase' || !value || value.length < 8) continue;
    holders.set(value, [...(holders.get(value) ?? []), name]);
  }
  const shared = [...holders.values()].filter((names) => names.length > 1);
  if (shared.length === 0) {
    return [
      {
        id: 'shared.none',
        check: 'shared',
        status: 'pass',
        message: 'no key or secret is shared between profiles or exchanges',
      },
    ];
  }
  return shared.map(
    (names): DoctorFinding => ({
      id: 'shared.same-value',
      check: 'shared',
      status: 'fail',
      message: `${names.join(', ')} hold the same value`,
      fix: 'create one dedicated key per bot and exchange, so one leak or revocation does not hit the others',
    }),
  );
}
