/**
 * Light loading of ccxt: import only `ccxt/js/src/<id>.js` instead of the root module, which pulls in
 * every exchange ccxt ships (~0.7 s and ~120 MiB). ccxt's `exports` map exposes only its root, so the
 * file is found from the package root of the ccxt the exchange package depends on.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The ccxt version the exchange packages pin and are tested with, the one place it is written:
 * each exchange package re-exports it, and a test checks every package's `package.json` against it.
 * With another installed version, an exchange package imports all of ccxt, with one warning.
 */
export const CCXT_VERSION = '4.5.84';

/** How an exchange package tells the kit where its ccxt is. The core itself never depends on ccxt. */
export interface CcxtSource {
  /** The ccxt version the exchange package pins; another version loads the full module. */
  version: string;
  /** A module URL inside the exchange package (its `import.meta.url`); ccxt is resolved from there. */
  packageUrl: string;
  /** Imports the whole of ccxt from the exchange package: pass `() => import('ccxt')`. */
  importAll: () => Promise<object>;
  /**
   * Internal, for tests: the ccxt package root to use instead of the resolved one.
   * @default the root of the resolved `ccxt` package
   */
  root?: string;
}

/** A ccxt exchange class, as loaded. */
export type CcxtConstructor = new (config: Record<string, unknown>) => object;

/** Which way the class was loaded. */
export interface LoadedExchangeClass {
  /** The exchange class, e.g. ccxt's `bybit`. */
  Exchange: CcxtConstructor;
  /** `module` when only `js/src/<id>.js` was imported, `full` when the whole of ccxt was. */
  via: 'module' | 'full';
}

/**
 * The {@link CcxtSource} of an exchange package pinning {@link CCXT_VERSION}. Call it from the
 * package itself, so that ccxt is resolved from there: `ccxtSource(import.meta.url, () => import('ccxt'))`.
 */
export function ccxtSource(packageUrl: string, importAll: () => Promise<object>): CcxtSource {
  return { version: CCXT_VERSION, packageUrl, importAll };
}

const cache = new Map<string, Promise<LoadedExchangeClass>>();

/**
 * Loads one ccxt exchange class, cheaply when the installed ccxt has the pinned version and the
 * expected layout, otherwise from the full module with one warning.
 */
export function loadExchangeClass(id: string, source: CcxtSource): Promise<LoadedExchangeClass> {
  const root = source.root ?? findPackageRoot(source);
  const cacheKey = `${root ?? '?'}\0${source.version}\0${id}`;
  let loaded = cache.get(cacheKey);
  if (!loaded) {
    loaded = load(id, source, root);
    cache.set(cacheKey, loaded);
    loaded.catch(() => cache.delete(cacheKey));
  }
  return loaded;
}

async function load(
  id: string,
  source: CcxtSource,
  root: string | undefined,
): Promise<LoadedExchangeClass> {
  const problem = checkLayout(id, source.version, root);
  if (problem === undefined && root !== undefined) {
    const module = (await import(pathToFileURL(moduleFile(root, id)).href)) as {
      default?: unknown;
    };
    if (typeof module.default === 'function') {
      return { Exchange: module.default as CcxtConstructor, via: 'module' };
    }
  }
  process.emitWarning(
    `exkeys: loading all of ccxt for ${id} (${problem ?? 'unexpected module shape'}); install ccxt@${source.version} to load only ${id}.`,
    { code: 'EXKEYS_CCXT_FULL_IMPORT' },
  );
  const ccxt = (await source.importAll()) as Record<string, unknown> & {
    default?: Record<string, unknown>;
  };
  const Exchange = ccxt[id] ?? ccxt.default?.[id];
  if (typeof Exchange !== 'function') {
    throw new Error(`ccxt has no exchange "${id}". Install ccxt@${source.version}.`);
  }
  return { Exchange: Exchange as CcxtConstructor, via: 'full' };
}

/** Walks up from ccxt's resolved entry file to the `package.json` named `ccxt`. */
function findPackageRoot(source: CcxtSource): string | undefined {
  let dir: string;
  try {
    dir = dirname(createRequire(source.packageUrl).resolve('ccxt'));
  } catch {
    return undefined;
  }
  for (;;) {
    if (readManifest(dir)?.name === 'ccxt') return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function checkLayout(id: string, version: string, root: string | undefined): string | undefined {
  if (root === undefined) return 'ccxt package root not found';
  const found = readManifest(root)?.version;
  if (found !== version) return `found ccxt ${found ?? 'of unknown version'}, expected ${version}`;
  if (!existsSync(moduleFile(root, id))) return `js/src/${id}.js not found`;
  return undefined;
}

function moduleFile(root: string, id: string): string {
  return join(root, 'js', 'src', `${id}.js`);
}

function readManifest(dir: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
  } catch {
    return undefined;
  }
}
