// `pnpm bench` for @exkeys/cli: `exkeys scan` against ripgrep running the same patterns on a
// generated repository (2,800 files, 300 commits), and `scan --history` against `git log -p --all`
// alone, with recall on planted secrets next to the speed. Prints ratios; nothing is asserted.
// Timings on a shared 2-core machine are noisy: read the ratios, not the absolute times.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'dist', 'bin.js');
const { LEAK_RULES } = await import(join(here, '..', 'dist', 'index.js'));

const FILES = 2800;
const COMMITS = Number(process.env.BENCH_COMMITS ?? 300);
const RUNS = 3;

// A seeded generator, so every run plants the same values.
let seed = 0x5eed;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const draw = (chars, length) =>
  Array.from({ length }, () => chars[Math.floor(random() * chars.length)]).join('');

const dir = mkdtempSync(join(tmpdir(), 'exkeys-scan-bench-'));
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: dir,
};
const git = (...args) => {
  const result = spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};

function sourceFile(index) {
  const lines = [`// module ${index}`, "import { helper } from './helper.js';", ''];
  for (let i = 0; i < 40; i += 1) {
    lines.push(`export function fn${index}_${i}(value) {`);
    lines.push(`  return helper(value, ${i}, 'label-${draw(ALNUM, 6)}');`);
    lines.push('}');
  }
  return lines;
}

/** Secrets planted in the working tree: [file, line, text lines]. */
const planted = [];
function plant(file, offset, build) {
  const lines = build();
  const line = offset + lines.findIndex((text) => text.includes('PLANT')) + 1;
  planted.push({ file, line });
  return lines.map((text) => text.replace(' // PLANT', ''));
}

process.stdout.write(`Generating ${FILES} files and ${COMMITS} commits in ${dir}…\n`);
git('init', '-q', '-b', 'main');
const paths = [];
for (let index = 0; index < FILES; index += 1) {
  const sub = join('src', `pkg${index % 40}`, `mod${index % 7}`);
  mkdirSync(join(dir, sub), { recursive: true });
  const path = join(sub, `file${index}.js`);
  paths.push(path);
  let lines = sourceFile(index);
  if (index % 140 === 7) {
    const kind = planted.length % 4;
    lines = [
      ...lines,
      ...plant(path, lines.length, () =>
        kind === 0
          ? [
              'const client = new ccxt.bybit({',
              '  enableRateLimit: true,',
              "  options: { defaultType: 'spot' },",
              `  apiKey: '${draw(ALNUM, 18)}', // PLANT`,
              '});',
            ]
          : kind === 1
            ? ['// okx credentials', `const secret = '${draw(HEX, 32).toUpperCase()}'; // PLANT`]
            : kind === 2
              ? [`const binanceSecret = '${draw(ALNUM, 64)}'; // PLANT`]
              : [
                  '-----BEGIN PRIVATE KEY----- // PLANT',
                  `${draw(ALNUM, 64)}`,
                  '-----END PRIVATE KEY-----',
                ],
      ),
    ];
  }
  writeFileSync(join(dir, path), `${lines.join('\n')}\n`);
}
git('add', '.');
git('commit', '-q', '-m', 'initial');
const historyPlants = [];
for (let commit = 1; commit < COMMITS; commit += 1) {
  for (let change = 0; change < 5; change += 1) {
    const path = paths[Math.floor(random() * paths.length)];
    writeFileSync(join(dir, path), `${sourceFile(commit * 10 + change).join('\n')}\n`, {
      flag: 'a',
    });
  }
  if (commit % 30 === 0) {
    // A secret committed, then removed by the next commit: only --history sees it.
    const path = join('src', `leak${commit}.js`);
    writeFileSync(join(dir, path), `// bybit\nconst secret = '${draw(ALNUM, 36)}';\n`);
    historyPlants.push({ file: path, line: 2 });
  } else if (commit % 30 === 1 && commit > 1) {
    rmSync(join(dir, 'src', `leak${commit - 1}.js`));
  }
  git('add', '-A');
  git('commit', '-q', '-m', `change ${commit}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quote = (word) => `'${word.replaceAll("'", "'\\''")}'`;
/** CPU seconds (user + system) of `command args…`, from bash's `times` (less noisy under load). */
function cpu(command, args) {
  const script = `${[command, ...args].map(quote).join(' ')} >/dev/null 2>&1; times`;
  const out = spawnSync('bash', ['-c', script], { cwd: dir, env, encoding: 'utf8' }).stdout;
  const children = out.trim().split('\n').at(-1) ?? '';
  const [user = 0, system = 0] = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map(
    (m) => Number(m[1]) * 60 + Number(m[2]),
  );
  return user + system;
}
function time(command, args) {
  const times = [];
  const cpus = [];
  let result;
  for (let run = 0; run < RUNS; run += 1) {
    const start = process.hrtime.bigint();
    result = spawnSync(command, args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 30 });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpus.push(cpu(command, args) * 1000);
  }
  return { ms: median(times), cpu: median(cpus), result };
}
const ratio = (a, b) => `${(a.ms / b.ms).toFixed(2)}× wall, ${(a.cpu / b.cpu).toFixed(2)}× CPU`;
const recall = (findings, wanted) =>
  wanted.filter((plant) => findings.some((f) => f.file === plant.file && f.line === plant.line))
    .length;
const line = (name, value) => console.log(`${name.padEnd(52)} ${value}`);

const scan = time(process.execPath, [bin, 'scan', '--json']);
const scanFindings = JSON.parse(scan.result.stdout);
line('exkeys scan (working tree)', `${scan.ms.toFixed(0)} ms (${scan.cpu.toFixed(0)} ms CPU)`);
line(
  '  recall on planted secrets',
  `${recall(scanFindings, planted)}/${planted.length}, ${scanFindings.length} findings`,
);

const rg = spawnSync('rg', ['--version']);
if (rg.status !== 0) {
  console.log('ripgrep: skipped: rg is not installed (apt-get install ripgrep)');
} else {
  const patterns = [...new Set(LEAK_RULES.map((rule) => rule.pattern.source))];
  const args = ['-P', '-n', '--no-heading', ...patterns.flatMap((p) => ['-e', p]), '.'];
  const grep = time('rg', args);
  const hits = grep.result.stdout.split('\n').filter((text) => text !== '');
  const rgFindings = hits.map((text) => {
    const [file, number] = text.split(':');
    return { file: file.replace(/^\.\//, ''), line: Number(number) };
  });
  line('ripgrep -P, the same patterns', `${grep.ms.toFixed(0)} ms (${grep.cpu.toFixed(0)} ms CPU)`);
  line(
    '  recall on planted secrets',
    `${recall(rgFindings, planted)}/${planted.length}, ${hits.length} matching lines`,
  );
  line('exkeys scan / ripgrep', `${ratio(scan, grep)}  (goal ≤ 3×)`);
}

const history = time(process.execPath, [bin, 'scan', '--history', '--json']);
const historyFindings = JSON.parse(history.result.stdout);
const log = time('git', ['log', '-p', '--all']);
line(
  'exkeys scan --history (tree + every commit)',
  `${history.ms.toFixed(0)} ms (${history.cpu.toFixed(0)} ms CPU)`,
);
line('git log -p --all alone', `${log.ms.toFixed(0)} ms (${log.cpu.toFixed(0)} ms CPU)`);
line(
  '  recall on secrets only in history',
  `${recall(historyFindings, historyPlants)}/${historyPlants.length}`,
);
line('exkeys scan --history / git log -p --all', `${ratio(history, log)}  (goal ≤ 2×)`);
line(
  '(scan --history − scan) / git log -p --all',
  `${((history.ms - scan.ms) / log.ms).toFixed(2)}× wall, ${((history.cpu - scan.cpu) / log.cpu).toFixed(2)}× CPU  (the history part alone)`,
);
if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
