/**
 * Test kit: validates SARIF logs against the official SARIF 2.1.0 schema.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * The official SARIF 2.1.0 schema, vendored from the npm package of Microsoft's SARIF SDK
 * (`@microsoft/sarif-multitool-linux@5.7.0`, `sarif-2.1.0.json`, MIT). The SDK's own validator is a
 * 100 MB .NET binary that needs an install script to become executable, so a JSON Schema
 * validator (ajv, draft 2020-12) checks our logs against the same schema instead.
 */
const SCHEMA = JSON.parse(
  readFileSync(new URL('./__fixtures__/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
) as object;

/** A validator for SARIF 2.1.0 logs; returns the schema errors (none for a valid log). */
export function sarifErrors(log: unknown): string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
  const validate = ajv.compile(SCHEMA);
  if (validate(log)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}
