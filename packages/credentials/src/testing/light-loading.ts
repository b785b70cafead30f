/**
 * The light-loading checks every exchange package shares: it pins the ccxt its core kit expects,
 * loads only ccxt's module of its own exchange, and, built, never imports the ccxt root module when
 * creating a client (checked in a fresh process, where nothing else has imported ccxt).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type CcxtSource, loadExchangeClass } from '../exchange/index.js';

/** What {@link describeLightLoading} needs to know about one exchange package. */
export interface LightLoadingSuite {
  /** The ccxt id, e.g. `bybit`. */
  readonly exchange: string;
  /** The package name, e.g. `@exkeys/bybit`. */
  readonly packageName: string;
  /** The client factory the package exports, e.g. `createBybitClient`. */
  readonly factory: string;
  /** The ccxt version the package pins (its `CCXT_VERSION`). */
  readonly ccxtVersion: string;
  /** `import.meta.url` of the test file, inside the package's `src/`. */
  readonly testUrl: string;
  /** `() => import('ccxt')`, from the package, to compare the loaded class with. */
  readonly importCcxt: () => Promise<Record<string, unknown>>;
  /** Credential variables of a well-formed fake key for the factory (no secret of anyone). */
  readonly env: Readonly<Record<string, string>>;
}

/** Registers the shared light-loading tests of one exchange package. */
export function describeLightLoading(suite: LightLoadingSuite): void {
  const packageRoot = join(dirname(fileURLToPath(suite.testUrl)), '..');
  const source: CcxtSource = {
    version: suite.ccxtVersion,
    packageUrl: suite.testUrl,
    importAll: suite.importCcxt as CcxtSource['importAll'],
  };

  describe(`light loading of ccxt (${suite.packageName})`, () => {
    const temp = mkdtempSync(join(tmpdir(), 'exkeys-ccxt-'));
    afterAll(() => rmSync(temp, { recursive: true, force: true }));

    it('pins the ccxt version the package depends on', () => {
      const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
      expect(manifest.dependencies.ccxt).toBe(suite.ccxtVersion);
    });

    it(`imports only js/src/${suite.exchange}.js from the installed, pinned ccxt`, async () => {
      const { Exchange, via } = await loadExchangeClass(suite.exchange, source);
      expect(via).toBe('module');
      expect(Exchange).toBe((await suite.importCcxt())[suite.exchange]);
    });

    const dist = join(packageRoot, 'dist', 'index.js');
    it.skipIf(!existsSync(dist))(
      'never imports the ccxt root module when building a client (built dist)',
      () => {
        const log = join(temp, 'resolved.log');
        const hooks = `import { appendFileSync } from 'node:fs';
        export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
        const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
        const main = `
        const { getCredentials } = await import('@exkeys/credentials');
        const { ${suite.factory} } = await import(${JSON.stringify(suite.packageName)});
        const env = ${JSON.stringify(suite.env)};
        const client = await ${suite.factory}(getCredentials('${suite.exchange}', { env }));
        console.log(client.id);`;
        const out = execFileSync(
          process.execPath,
          [
            `--import=data:text/javascript,${encodeURIComponent(register)}`,
            '--input-type=module',
            '-e',
            main,
          ],
          { cwd: packageRoot, encoding: 'utf8' },
        );
        expect(out.trim()).toBe(suite.exchange);
        const resolved = readFileSync(log, 'utf8').split('\n');
        expect(resolved.some((url) => url.endsWith(`/ccxt/js/src/${suite.exchange}.js`))).toBe(
          true,
        );
        expect(resolved.some((url) => url.endsWith('/ccxt/js/ccxt.js'))).toBe(false);
      },
    );
    if (!existsSync(dist)) {
      console.warn(`skipped the fresh-process loading test: build ${dist} first`);
    }
  });
}
