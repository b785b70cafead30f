/**
 * Writes a new bot project: the starter bot's sources (copied from `apps/example-bot` at build time)
 * rewritten for the exchanges and store chosen, plus the files a project of its own needs.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXCHANGE_IDS, type ExchangeChoice, STORE_CHOICES, type StoreChoice } from './choices.js';
import { projectFiles } from './project-files.js';

/** Options of {@link scaffold}. */
export interface ScaffoldOptions {
  /** The folder to create. It must not exist, or be empty. */
  dir: string;
  /**
   * The exchanges to trade on; the first is the default of `EXKEYS_EXCHANGE`.
   * @default ['bybit']
   */
  exchanges?: readonly ExchangeChoice[];
  /**
   * Where the keys live.
   * @default 'env'
   */
  store?: StoreChoice;
  /**
   * The version range of the `@exkeys/*` dependencies.
   * @default `^` and this package's own version (the `@exkeys/*` packages are released together)
   */
  version?: string;
}

/** What {@link scaffold} wrote. */
export interface ScaffoldResult {
  /** The project folder, absolute. */
  dir: string;
  /** The files written, relative to `dir`, sorted. */
  files: string[];
}

/** A bad option or an unusable target folder. The message says what to change. */
export class ScaffoldError extends Error {
  /** Always `scaffold`. */
  readonly code = 'scaffold';

  constructor(message: string) {
    super(message);
    this.name = 'ScaffoldError';
  }
}

const here = fileURLToPath(new URL('.', import.meta.url));
const templateDir = join(here, '..', 'template', 'src');

/** This package's version: the version of every `@exkeys/*` package released with it. */
export function ownVersion(): string {
  const manifest = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

function replaceOnce(text: string, file: string, search: string | RegExp, by: string): string {
  const found = typeof search === 'string' ? text.includes(search) : search.test(text);
  if (!found) {
    throw new ScaffoldError(
      `The template's ${file} no longer contains ${String(search)}; update @exkeys/create-bot's rewrites.`,
    );
  }
  return text.replace(search, by);
}

/** The template's `src/` files, rewritten for `exchanges` and `store`. */
export function templateSources(
  exchanges: readonly ExchangeChoice[],
  store: StoreChoice,
): Map<string, string> {
  if (!existsSync(templateDir)) {
    throw new ScaffoldError(
      `The template is missing (${templateDir}): reinstall @exkeys/create-bot.`,
    );
  }
  const sources = new Map<string, string>();
  for (const name of readdirSync(templateDir).sort()) {
    let text = readFileSync(join(templateDir, name), 'utf8');
    if (name === 'exchanges.ts') {
      const list = exchanges.map((id) => `'${id}'`).join(', ');
      text = replaceOnce(
        text,
        name,
        /export const EXCHANGES = \[[^\]]*\] as const;/,
        `export const EXCHANGES = [${list}] as const;`,
      );
      for (const id of EXCHANGE_IDS) {
        if (exchanges.includes(id)) continue;
        text = replaceOnce(
          text,
          name,
          new RegExp(`import \\{[^}]*\\} from '@exkeys/${id}';\\n`),
          '',
        );
        text = replaceOnce(
          text,
          name,
          new RegExp(`    case '${id}': \\{\\n[\\s\\S]*?\\n    \\}\\n`),
          '',
        );
      }
    } else if (name === 'main.ts') {
      text = replaceOnce(
        text,
        name,
        "env.EXKEYS_EXCHANGE ?? 'bybit'",
        `env.EXKEYS_EXCHANGE ?? '${exchanges[0]}'`,
      );
    } else if (name === 'store.ts') {
      const kind = store === 'docker' ? 'secrets' : store;
      text = replaceOnce(
        text,
        name,
        "export const DEFAULT_STORE: StoreKind = 'env';",
        `export const DEFAULT_STORE: StoreKind = '${kind}';`,
      );
    }
    sources.set(`src/${name}`, text);
  }
  return sources;
}

function checkOptions(options: ScaffoldOptions): {
  exchanges: ExchangeChoice[];
  store: StoreChoice;
} {
  const exchanges = [...new Set<string>(options.exchanges ?? ['bybit'])];
  if (exchanges.length === 0) {
    throw new ScaffoldError(`Choose at least one exchange: ${EXCHANGE_IDS.join(', ')}.`);
  }
  for (const id of exchanges) {
    if (!(EXCHANGE_IDS as readonly string[]).includes(id)) {
      throw new ScaffoldError(`Unknown exchange "${id}": choose from ${EXCHANGE_IDS.join(', ')}.`);
    }
  }
  const store: string = options.store ?? 'env';
  if (!(STORE_CHOICES as readonly string[]).includes(store)) {
    throw new ScaffoldError(`Unknown store "${store}": choose from ${STORE_CHOICES.join(', ')}.`);
  }
  return { exchanges: exchanges as ExchangeChoice[], store: store as StoreChoice };
}

/** A package name for the folder: lowercase, npm-safe. */
export function packageName(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name || 'exkeys-bot';
}

/**
 * Creates the project in `options.dir`. Never overwrites: refuses a folder that exists and is not
 * empty.
 * @throws {ScaffoldError} for an unknown exchange or store, or a non-empty folder.
 */
export async function scaffold(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const { exchanges, store } = checkOptions(options);
  const dir = resolve(options.dir);
  const existing = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new ScaffoldError(`Cannot use ${dir} (${error.code ?? error.message}).`);
  });
  if (existing.length > 0) {
    throw new ScaffoldError(`${dir} is not empty: choose a new folder name.`);
  }
  const files = new Map([
    ...templateSources(exchanges, store),
    ...projectFiles({
      name: packageName(dir),
      exchanges,
      store,
      version: options.version ?? `^${ownVersion()}`,
    }),
  ]);
  for (const [path, text] of files) {
    const target = join(dir, path);
    await mkdir(join(target, '..'), { recursive: true });
    // `wx`: a file that appeared meanwhile is never overwritten.
    await writeFile(target, text, { flag: 'wx' });
  }
  return { dir, files: [...files.keys()].sort() };
}
