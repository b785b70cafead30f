// Runs age keystore operations in a separate process, for the concurrency and SIGKILL tests.
// Keys come from the environment; nothing secret is printed.
const [modulePath, scenario, path] = process.argv.slice(2);
const { ageStore, changeKeystorePassphrase } = await import(modulePath);
const env = process.env;
const logN = Number(env.EXKEYS_TEST_LOGN ?? '10');

try {
  if (scenario === 'change-passphrase') {
    process.stdout.write('started\n');
    await changeKeystorePassphrase({ path, passphrase: env.EXKEYS_TEST_OLD, scryptWorkFactor: logN }, env.EXKEYS_TEST_NEW);
  } else if (scenario === 'write-many') {
    const store = ageStore({ path, scryptWorkFactor: logN, env });
    const prefix = env.EXKEYS_TEST_PREFIX;
    for (let i = 0; i < Number(env.EXKEYS_TEST_COUNT); i++) {
      await store.write({ [`${prefix}_${i}`]: `value-${prefix}-${i}` });
    }
  }
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ok: false, code: error?.code, message: String(error?.message) })}\n`);
  process.exitCode = 1;
}
