/**
 * `baseUrl`: point every API group of a ccxt client at another origin (a proxy, or the loopback
 * sandbox) while keeping the exchange's real paths (`/v5/...`, `/api/v3/...`, `/sapi/v1/...`).
 * @module
 */
import { describeInput } from '../redact.js';

/**
 * Checks a `baseUrl` option and returns it without a trailing slash.
 * @throws {TypeError} when it is not an absolute http(s) URL, or carries credentials, a query or a hash.
 */
export function parseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(
      `Invalid baseUrl ${describeInput(baseUrl)}: use an absolute http(s) URL such as "http://127.0.0.1:8080".`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(
      `Invalid baseUrl protocol "${url.protocol}": only http: and https: are allowed.`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new TypeError(
      'Invalid baseUrl: give an origin and optional path only, without credentials, query or hash.',
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

// ccxt writes origins with placeholders (`https://api.{hostname}`), so this is not a URL parse.
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i;

/**
 * Returns a copy of ccxt's `urls.api` (a string or a nested object of strings) with the origin of
 * every URL replaced by `base`. Paths are kept.
 */
export function rebaseApiUrls<T>(api: T, base: string): T {
  if (typeof api === 'string') return api.replace(ORIGIN, base) as T;
  if (typeof api !== 'object' || api === null) return api;
  const out: Record<string, unknown> = {};
  for (const [group, url] of Object.entries(api)) out[group] = rebaseApiUrls(url, base);
  return out as T;
}
