/**
 * Doctor's key checks: every configured key passes static validation and is younger than
 * `--max-age`; no value is shared.
 * @module
 */
import { isAdminProfile, listConfiguredExchanges } from '@exkeys/credentials';
import type { DoctorFinding } from '../../doctor-finding.js';
import { isStale, validateIn } from '../../key-status.js';
import { ADD_KEY_COMMAND, profileFlag } from '../../messages.js';
import { configuredPairs, type PrivateEnv, type SelectedStore } from '../../store-selection.js';
import { sharedValues } from './shared-checks.js';

/**
 * Static validation and age of every configured key, then the shared-key check. "Stale" is the
 * same test `exkeys list` applies (`isStale`).
 */
export async function checkKeys(
  store: SelectedStore,
  env: PrivateEnv,
  maxAge: number,
): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  const pairs = configuredPairs(env);
  if (pairs.length === 0) {
    return [
      {
        id: 'valid.no-keys',
        check: 'valid',
        status: 'warn',
        message: `no exchange keys in ${store.location}`,
        fix: ADD_KEY_COMMAND,
      },
    ];
  }
  const ages = new Map(
    (await listConfiguredExchanges(store.target)).map((row) => [
      `${row.exchange}/${row.profile}`,
      row,
    ]),
  );
  for (const { exchange, profile } of pairs) {
    const name = `${exchange} (${profile})`;
    const flag = profileFlag(profile);
    const result = validateIn(env, exchange, profile);
    if (result.valid)
      findings.push({
        id: 'valid.ok',
        check: 'valid',
        status: 'pass',
        message: `${name} passes static checks`,
      });
    for (const issue of result.errors) {
      findings.push({
        id: 'valid.invalid',
        check: 'valid',
        status: 'fail',
        message: issue.message,
        fix: `exkeys set ${exchange}${flag}`,
      });
    }
    for (const issue of result.warnings)
      findings.push({
        id: 'valid.warning',
        check: 'valid',
        status: 'warn',
        message: issue.message,
      });
    const row = ages.get(`${exchange}/${profile}`);
    if (row?.ageDays === null || row === undefined) {
      findings.push({
        id: 'age.unknown',
        check: 'age',
        status: 'warn',
        message: `${name}: rotation time unknown (the key was not written by exkeys)`,
        fix: `exkeys rotate ${exchange}${flag}`,
      });
    } else if (isStale(row.ageDays, maxAge)) {
      findings.push({
        id: 'age.stale',
        check: 'age',
        status: 'fail',
        message: `${name}: key is ${row.ageDays} days old (max ${maxAge})`,
        fix: `exkeys rotate ${exchange}${flag}`,
      });
    } else {
      findings.push({
        id: 'age.ok',
        check: 'age',
        status: 'pass',
        message: `${name}: key is ${row.ageDays} days old`,
      });
    }
  }
  findings.push(...sharedValues(env), ...adminBesideBots(store, pairs));
  return findings;
}

/**
 * An admin profile (a master key that manages sub-account keys) in the same store as bot keys:
 * whoever reads the store for a bot can read the master key too.
 */
function adminBesideBots(
  store: SelectedStore,
  pairs: ReadonlyArray<{ exchange: string; profile: string }>,
): DoctorFinding[] {
  const admins = pairs.filter((pair) => isAdminProfile(pair.profile));
  const bots = pairs.filter((pair) => !isAdminProfile(pair.profile));
  if (admins.length === 0 || bots.length === 0) return [];
  return admins.map(({ exchange, profile }) => ({
    id: 'admin.beside-bot-keys' as const,
    check: 'admin',
    status: 'warn' as const,
    message: `${exchange} (${profile}) is an admin key (it can create and delete sub-account keys) in ${store.location}, next to ${bots.length} bot key(s): anyone who can read this store for a bot can read the master key too`,
    fix: `keep the admin key in a store of its own, e.g. \`exkeys set ${exchange} --profile ${profile} --keystore admin.age\`, and run \`exkeys rotate ${exchange} --auto --admin-profile ${profile} --keystore admin.age\` where both are readable`,
  }));
}
