// Runs one store operation from a transpiled copy of the package, in a child whose node_modules may
// lack the optional peers. Prints what happened as JSON; values are never printed.
const [modulePath, scenario, path] = process.argv.slice(2);
const core = await import(modulePath);
const passphrase = process.env.EXKEYS_TEST_PASSPHRASE;

const scenarios = {
  'age-read': () => core.ageStore({ path, passphrase }).readAll(),
  'age-read-missing': () => core.ageStore({ path: `${path}.none`, passphrase }).readAll(),
  'age-write': () => core.ageStore({ path, passphrase, scryptWorkFactor: 10 }).write({ A: 'b' }),
  'keychain-read': () => core.keychainStore({ service: 'exkeys-missing-peer' }).readAll(),
  'identity-keychain': () => core.resolveAgeKey({ identityKeychain: 'exkeys-missing-peer', env: {} }),
  'dotenv-read': () => core.dotenvStore(path).readAll(),
};

try {
  const result = await scenarios[scenario]();
  const names = result instanceof Map ? [...result.keys()] : [];
  process.stdout.write(JSON.stringify({ ok: true, names }));
} catch (error) {
  process.stdout.write(
    JSON.stringify({
      ok: false,
      name: error?.name,
      code: error?.code,
      message: String(error?.message),
      printed: [String(error?.stack), JSON.stringify(error)],
    }),
  );
}
