import { describe, expect, it } from 'vitest';
import { fingerprints, ruleCatalogue, sarifLog } from './scan-report.js';
import type { Finding } from './scanner.js';
import { sarifErrors } from './test-sarif.js';

const FINDINGS: Finding[] = [
  { file: 'src/bot.ts', line: 8, rule: 'bybit-key', exchange: 'bybit', preview: 'CANARY…' },
  { file: 'src/bot.ts', line: 9, rule: 'bybit-secret', exchange: 'bybit', preview: '[redacted]' },
  {
    file: 'logs/a.log',
    line: 2,
    rule: 'configured-value',
    exchange: 'okx',
    variable: 'OKX_API_PASSPHRASE',
    encoding: 'url',
    preview: '[redacted]',
  },
  {
    file: 'old.js',
    line: 3,
    commit: '0123456789ab',
    rule: 'private-key',
    exchange: '',
    preview: '[redacted]',
  },
];

const uriOf = (finding: Finding) => finding.file;

describe('SARIF reports', () => {
  it('validate against the SARIF 2.1.0 schema, and the validator rejects a broken log', () => {
    const log = sarifLog(FINDINGS, { version: '1.2.3', uriOf });
    expect(sarifErrors(log)).toEqual([]);
    expect(sarifErrors(sarifLog([], { version: '1.2.3', uriOf }))).toEqual([]);
    // Control: the schema is really applied.
    const broken = JSON.parse(JSON.stringify(log)) as { version: string; runs: unknown[] };
    broken.version = '2.0.0';
    expect(sarifErrors(broken).length).toBeGreaterThan(0);
    expect(
      sarifErrors({ ...broken, version: '2.1.0', runs: [{ results: [] }] }).length,
    ).toBeGreaterThan(0);
  });

  it('name every result’s rule in tool.driver.rules, with stable ids and repo-relative URIs', () => {
    const log = sarifLog(FINDINGS, { version: '1.2.3', uriOf }) as {
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string }> } };
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>;
        }>;
      }>;
    };
    const run = log.runs[0];
    const ids = run?.tool.driver.rules.map((rule) => rule.id) ?? [];
    expect(ids).toEqual(ruleCatalogue().map((rule) => rule.id));
    for (const result of run?.results ?? []) {
      expect(ids[result.ruleIndex]).toBe(result.ruleId);
      expect(result.locations[0]?.physicalLocation.artifactLocation.uri).not.toMatch(/^\/|\\/);
    }
  });

  it('fingerprint without line numbers: moving code keeps them, another leak gets its own', () => {
    const moved = FINDINGS.map((finding) => ({ ...finding, line: finding.line + 40 }));
    expect(fingerprints(moved)).toEqual(fingerprints(FINDINGS));
    const twice = [FINDINGS[0], FINDINGS[0]].filter((f) => f !== undefined);
    const [first, second] = fingerprints(twice);
    expect(first).not.toBe(second);
    expect(new Set(fingerprints(FINDINGS)).size).toBe(FINDINGS.length);
  });
});
