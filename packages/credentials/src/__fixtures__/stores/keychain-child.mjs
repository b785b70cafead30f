// Runs keychainStore operations inside a D-Bus session and prints one JSON line of results. Values
// come from the environment and are only ever compared here, never printed.
import { execFileSync } from 'node:child_process';

const [modulePath, scenario, service] = process.argv.slice(2);
const { keychainStore } = await import(modulePath);
const canary = process.env.EXKEYS_TEST_CANARY ?? '';
const other = process.env.EXKEYS_TEST_OTHER ?? '';

function secretTool(...args) {
  try {
    return execFileSync('secret-tool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

function describeError(error) {
  return { name: error?.name, code: error?.code, message: String(error?.message) };
}

const out = {};
try {
  const store = keychainStore({ service });
  if (scenario === 'write') {
    await store.write(
      { BYBIT_API_KEY: other, BYBIT_API_SECRET: canary },
      { rotatedAt: { BYBIT_API_SECRET: '2024-01-02T03:04:05.000Z' } },
    );
    await store.write({ OKX_API_KEY: other });
    out.kind = store.kind;
    out.location = store.location;
  } else if (scenario === 'read') {
    const all = await store.readAll();
    out.names = [...all.keys()];
    out.secretRoundTrips = all.get('BYBIT_API_SECRET') === canary;
    out.keyRoundTrips = all.get('BYBIT_API_KEY') === other;
    out.list = await store.list();
    out.inSecretService = secretTool('lookup', 'service', service, 'username', 'BYBIT_API_SECRET') === canary;
    const index = secretTool('lookup', 'service', service, 'username', '__exkeys_index__');
    out.indexHoldsNoValue = index !== null && !index.includes(canary) && !index.includes(other);
    out.index = index === null ? null : JSON.parse(index);
  } else if (scenario === 'delete') {
    await store.delete(['BYBIT_API_SECRET']);
    const all = await store.readAll();
    out.names = [...all.keys()];
    out.goneFromSecretService = secretTool('lookup', 'service', service, 'username', 'BYBIT_API_SECRET') === null;
    out.list = await store.list();
  } else if (scenario === 'corrupt-index') {
    execFileSync('secret-tool', ['store', '--label=x', 'service', service, 'username', '__exkeys_index__'], {
      input: 'not json',
    });
    await store.readAll();
  } else if (scenario === 'age-identity') {
    // The age identity kept in the keychain opens an age keystore.
    const { ageStore } = await import(process.env.EXKEYS_TEST_AGE_MODULE);
    const path = process.env.EXKEYS_TEST_KEYSTORE;
    const env = { HOME: process.env.HOME };
    await ageStore({ path, identity: process.env.EXKEYS_TEST_IDENTITY }).write({ S: canary });
    const missing = await ageStore({ path, identityKeychain: service, env }).readAll().catch((e) => e);
    out.missingIdentity = describeError(missing);
    await store.write({ EXKEYS_AGE_IDENTITY: process.env.EXKEYS_TEST_IDENTITY });
    const byOption = await ageStore({ path, identityKeychain: service, env }).readAll();
    const byEnv = await ageStore({ path, env: { ...env, EXKEYS_AGE_IDENTITY_KEYCHAIN: service } }).readAll();
    out.byOption = byOption.get('S') === canary;
    out.byEnv = byEnv.get('S') === canary;
  } else if (scenario === 'three-steps') {
    // The core functions with `{ store: keychainStore(...) }`, as a bot would call them.
    const core = await import(process.env.EXKEYS_TEST_INDEX_MODULE);
    await core.saveApiKeys('bybit', { apiKey: other, apiSecret: 'first-secret-value' }, { store });
    const env = {};
    await core.updateApiKey('bybit', { apiSecret: canary }, { store, env });
    out.envRotated = env.BYBIT_API_SECRET === canary;
    out.rows = await core.listConfiguredExchanges({ store });
    const target = {};
    out.load = await core.loadApiKeys({ stores: [store], target });
    const creds = core.getCredentials('bybit', { env: target });
    out.retrieved = creds.apiSecret === canary && creds.apiKey === other;
    out.printed = `${creds} ${JSON.stringify(creds)}`;
  } else if (scenario === 'write-only') {
    await store.write({ BYBIT_API_SECRET: canary });
  }
  out.ok = true;
} catch (error) {
  out.ok = false;
  out.error = describeError(error);
}
process.stdout.write(`${JSON.stringify(out)}\n`);
