import { describe, expect, it } from 'vitest';
import { parseBaseUrl, rebaseApiUrls } from './base-url.js';

describe('parseBaseUrl', () => {
  it('keeps the origin and path, without trailing slashes', () => {
    expect(parseBaseUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(parseBaseUrl('https://proxy.example/bybit//')).toBe('https://proxy.example/bybit');
  });

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'ws://127.0.0.1',
    '127.0.0.1:8080',
    'http://u:p@h',
    'http://h/?q=1',
  ])('refuses %s', (url) => {
    expect(() => parseBaseUrl(url)).toThrow(TypeError);
  });
});

describe('rebaseApiUrls', () => {
  it('replaces the origin of every URL, placeholders included, and keeps paths and nesting', () => {
    const api = {
      public: 'https://api.{hostname}',
      sapi: 'https://api.binance.com/sapi/v1',
      nested: { rest: 'https://{hostname}/api/v5' },
    };
    expect(rebaseApiUrls(api, 'http://127.0.0.1:9')).toEqual({
      public: 'http://127.0.0.1:9',
      sapi: 'http://127.0.0.1:9/sapi/v1',
      nested: { rest: 'http://127.0.0.1:9/api/v5' },
    });
    expect(api.sapi).toBe('https://api.binance.com/sapi/v1');
    expect(rebaseApiUrls('https://www.okx.com', 'http://h')).toBe('http://h');
  });
});
