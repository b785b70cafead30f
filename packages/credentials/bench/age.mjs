// Age keystore unlock cost, as ratios measured in one run (build first: `pnpm build`).
//   passphrase unlock / native crypto.scrypt at the same work factor   (goal ≤ 1.10×)
//   pure-JS age-encryption scrypt unlock / native crypto.scrypt         (baseline, for contrast)
//   identity unlock / 20 ms budget                                      (goal ≤ 1.00×)
// Rounds alternate between contenders so they all see the same machine load. The passphrase ratio is
// the median of per-round ratios (each pair measured back to back); times shown are medians.
import { randomBytes, scrypt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decrypter, generateIdentity } from 'age-encryption';

const here = dirname(fileURLToPath(import.meta.url));
const { ageStore } = await import(join(here, '..', 'dist', 'index.js'));
const dir = mkdtempSync(join(tmpdir(), 'exkeys-bench-age-'));
const LOG_N = 18;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PASSPHRASE = 'bench passphrase, not a secret';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const line = (name, ratio, detail, goal) =>
  console.log(`${name.padEnd(46)} ${ratio.toFixed(2)}× ${detail}${goal ? `  (goal ${goal})` : ''}`);

const nativeScrypt = () =>
  new Promise((resolve, reject) =>
    scrypt(
      PASSPHRASE,
      randomBytes(44),
      32,
      { N: 2 ** LOG_N, r: 8, p: 1, maxmem: 2 * 128 * 8 * 2 ** LOG_N },
      (e, k) => (e ? reject(e) : resolve(k)),
    ),
  );

try {
  const variables = {
    BYBIT_API_KEY: 'AbCdEf0123456789Gh',
    BYBIT_API_SECRET: 'benchSecret0123456789abcdefghijklmnop',
    OKX_API_KEY: '1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f',
    OKX_API_SECRET: '0123456789ABCDEF0123456789ABCDEF',
    OKX_API_PASSPHRASE: 'bench-passphrase',
  };
  const passPath = join(dir, 'pass.env.age');
  await ageStore({ path: passPath, passphrase: PASSPHRASE, scryptWorkFactor: LOG_N }).write(
    variables,
  );
  const identity = await generateIdentity();
  const idPath = join(dir, 'id.env.age');
  await ageStore({ path: idPath, identity }).write(variables);
  const passFile = readFileSync(passPath);

  const native = [];
  const ours = [];
  const pureJs = [];
  const byIdentity = [];
  const paired = [];
  for (let round = 0; round < ROUNDS; round++) {
    // A fresh store each time: no remembered key, the full cold unlock (read, scrypt, decrypt, parse).
    const unlock = () => time(() => ageStore({ path: passPath, passphrase: PASSPHRASE }).readAll());
    // Swap the order every round so neither side always runs first after the other's 256 MiB.
    let nativeMs = 0;
    let oursMs = 0;
    if (round % 2 === 0) {
      nativeMs = await time(nativeScrypt);
      oursMs = await unlock();
    } else {
      oursMs = await unlock();
      nativeMs = await time(nativeScrypt);
    }
    native.push(nativeMs);
    ours.push(oursMs);
    paired.push(oursMs / nativeMs);
    pureJs.push(
      await time(async () => {
        const decrypter = new Decrypter();
        decrypter.addPassphrase(PASSPHRASE);
        await decrypter.decrypt(passFile, 'text');
      }),
    );
    for (let i = 0; i < 5; i++) {
      byIdentity.push(await time(() => ageStore({ path: idPath, identity }).readAll()));
    }
  }
  const n = median(native);
  console.log(`age keystore unlock, logN ${LOG_N}, ${ROUNDS} alternating rounds (medians)`);
  line(
    'passphrase unlock / native crypto.scrypt',
    median(ours) / n,
    `${median(ours).toFixed(0)} ms vs ${n.toFixed(0)} ms`,
    '≤ 1.10×',
  );
  line(
    'pure-JS age-encryption scrypt / native scrypt',
    median(pureJs) / n,
    `${median(pureJs).toFixed(0)} ms (baseline)`,
  );
  line(
    'identity unlock / 20 ms budget',
    median(byIdentity) / 20,
    `${median(byIdentity).toFixed(1)} ms`,
    '≤ 1.00×',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
