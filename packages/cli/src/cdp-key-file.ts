/**
 * Coinbase's downloaded CDP key file (`cdp_api_key.json`), read for `exkeys set coinbase
 * --from-file`: `{ "name": "organizations/…/apiKeys/…", "privateKey": "-----BEGIN EC PRIVATE
 * KEY-----\n…" }` for an ECDSA key, `{ "id": "…", "privateKey": "…base64…" }` for an Ed25519 key
 * (https://docs.cdp.coinbase.com/get-started/authentication/cdp-api-keys). The file is read like
 * other secret files: a regular file only (opened non-blocking, so a FIFO cannot hang), small,
 * text. Messages never quote the file's content, and show a path that looks like a credential
 * only as a 3-character preview.
 * @module
 */
import { describeInput } from '@exkeys/credentials';
import { UsageError } from './exit-codes.js';
import { readSmall, sniffEncoding } from './file-text.js';

/** A CDP key file is a few hundred bytes; anything past this is not one. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/** The key and secret a CDP key file holds. */
export interface CdpKeyFile {
  /** The key name (`name`) or, for an Ed25519 key file, its key id (`id`). */
  apiKey: string;
  /** The `privateKey`, its JSON escapes decoded (real line breaks), trailing line breaks dropped. */
  apiSecret: string;
}

/**
 * Reads and checks a CDP key file.
 * @throws {UsageError} for a path that is not a readable regular file, a file that is too large,
 *   not UTF-8 text or not JSON, or a JSON value without a string `name`/`id` and `privateKey`.
 */
export async function readCdpKeyFile(path: string): Promise<CdpKeyFile> {
  const shown = describeInput(path);
  const refuse = (why: string): never => {
    throw new UsageError(
      `--from-file ${shown} ${why}. Give the path of the key file Coinbase downloaded when you created the key (cdp_api_key.json).`,
    );
  };
  const bytes = readSmall(path);
  if (bytes === undefined) return refuse('is not a readable regular file');
  if (bytes === 'large' || bytes.length > MAX_KEY_FILE_BYTES) {
    return refuse(`is larger than ${MAX_KEY_FILE_BYTES / 1024} KiB, too large for a key file`);
  }
  if (sniffEncoding(bytes) !== 'utf-8') return refuse('is not UTF-8 text');
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return refuse('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return refuse('is not a JSON object');
  }
  const file = parsed as Record<string, unknown>;
  const apiKey = typeof file.name === 'string' ? file.name : file.id;
  if (typeof apiKey !== 'string' || apiKey === '') {
    return refuse('has no "name" (ECDSA key) or "id" (Ed25519 key) string');
  }
  if (typeof file.privateKey !== 'string' || file.privateKey === '') {
    return refuse('has no "privateKey" string');
  }
  return { apiKey, apiSecret: file.privateKey.replace(/(\r?\n)+$/, '') };
}

/**
 * `--from-file` of `exkeys set` and `exkeys rotate`: the exchange's downloaded key file. Only
 * Coinbase hands one out.
 * @throws {UsageError} for another exchange, or a file {@link readCdpKeyFile} refuses.
 */
export async function readExchangeKeyFile(exchange: string, path: string): Promise<CdpKeyFile> {
  if (exchange !== 'coinbase') {
    throw new UsageError(
      `--from-file reads Coinbase's CDP key file; ${exchange} has no key file. Use the prompts, stdin or --secret-file.`,
    );
  }
  return readCdpKeyFile(path);
}
