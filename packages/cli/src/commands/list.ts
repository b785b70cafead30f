/**
 * `exkeys list`: every configured exchange and profile with a key preview, what is set, the age and a
 * status.
 * @module
 */
import { listConfiguredExchanges } from '@exkeys/credentials';
import { keyStatus, validateIn } from '../key-status.js';
import { noKeysMessage } from '../messages.js';
import { type MaxAgeOptions, parseMaxAge, type StoreOptions } from '../options.js';
import { loadPrivateEnv, selectStore } from '../store-selection.js';
import { out, print, printJson, table } from '../terminal.js';

/** Options of `exkeys list`. */
export interface ListOptions extends StoreOptions, MaxAgeOptions {}

/** Runs `exkeys list`. */
export async function listCommand(options: ListOptions): Promise<void> {
  const maxAge = parseMaxAge(options.maxAge);
  const store = await selectStore(options);
  const rows = await listConfiguredExchanges(store.target);
  const env = await loadPrivateEnv(store);
  const withStatus = rows.map((row) => ({
    ...row,
    status: keyStatus(validateIn(env, row.exchange, row.profile), row.ageDays, maxAge),
  }));
  if (options.json) {
    printJson(withStatus);
    return;
  }
  if (withStatus.length === 0) {
    print(noKeysMessage(store.location, options.keystore === undefined));
    return;
  }
  const colour = { ok: out.green, missing: out.red, invalid: out.red, stale: out.yellow } as const;
  const yes = (set: boolean) => (set ? 'yes' : out.dim('no'));
  print(
    table(
      ['EXCHANGE', 'PROFILE', 'KEY', 'SECRET', 'PASSPHRASE', 'ROTATED', 'AGE', 'STATUS'],
      withStatus.map((row) => [
        row.exchange,
        row.profile,
        row.keyPreview || out.dim('-'),
        yes(row.secretSet),
        yes(row.passphraseSet),
        row.rotatedAt?.slice(0, 10) ?? out.dim('unknown'),
        row.ageDays === null ? out.dim('-') : `${row.ageDays}d`,
        colour[row.status](row.status),
      ]),
    ),
  );
}
