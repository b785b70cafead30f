// Reads a store in a separate process, so a test running as root can drop to an unprivileged user
// and meet real permission errors. Prints one JSON line: the uid, then the values' names or the
// error's printed forms (the parent checks them for canaries).
//   unprivileged-child.mjs <module> <factory> <path>
import { inspect } from 'node:util';

const [modulePath, factory, path] = process.argv.slice(2);
const store = (await import(modulePath))[factory](path);
const uid = process.getuid?.() ?? null;
try {
  const values = await store.readAll();
  process.stdout.write(`${JSON.stringify({ uid, ok: true, names: [...values.keys()] })}\n`);
} catch (error) {
  const printed = [String(error?.message), String(error?.stack), inspect(error, { depth: 5 }), JSON.stringify(error)];
  process.stdout.write(
    `${JSON.stringify({ uid, ok: false, name: error?.name, code: error?.code, message: String(error?.message), printed })}\n`,
  );
}
