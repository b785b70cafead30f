/**
 * `exkeys scan` reports for machines: SARIF 2.1.0 as GitHub code scanning reads it (one rule per
 * leak rule with a stable `ruleId`, repository-relative URIs, fingerprints that survive line moves,
 * masked values only). Written by hand from the spec: the log is one small object, and a builder
 * library would add a runtime dependency for no check the schema test does not already make.
 * @module
 */
import { createHash } from 'node:crypto';
import { EXCHANGES } from '@exkeys/credentials';
import type { Finding } from './finding.js';
import { LEAK_RULES, type LeakRule, PRIVATE_KEY_RULE } from './leak-rules.js';

/** The id of the rule for exact copies of the store's values. */
export const CONFIGURED_VALUE_RULE = 'configured-value';

/** The formats `exkeys scan --format` prints. */
export type ScanFormat = 'text' | 'json' | 'sarif';

/** Every rule id a finding can carry, with what it means: SARIF's `tool.driver.rules`. */
export function ruleCatalogue(): Array<{ id: string; description: string }> {
  const name = (id: string) => EXCHANGES[id as keyof typeof EXCHANGES]?.name ?? id;
  const describe = (rule: LeakRule): string => {
    if (rule === PRIVATE_KEY_RULE) return 'A PEM private key (found by its header alone).';
    if (rule.marker) return `A PEM private key near the name ${name(rule.exchange)}.`;
    const what = rule.id.endsWith('-key-or-secret')
      ? 'API key or secret'
      : rule.kind === 'key'
        ? 'API key'
        : 'API secret';
    return `A ${name(rule.exchange)} ${what}: a value of the exchange's key shape near its name.`;
  };
  return [
    {
      id: CONFIGURED_VALUE_RULE,
      description:
        'A value of the credential store in use (key, secret, passphrase or PEM line), verbatim or encoded.',
    },
    ...[...LEAK_RULES, PRIVATE_KEY_RULE].map((rule) => ({
      id: rule.id,
      description: describe(rule),
    })),
  ];
}

/**
 * A fingerprint of `finding` that holds no part of the value and no line number: the rule, the
 * file, the variable and encoding, the commit, and which occurrence of that combination in the
 * file it is. Moving code up or down keeps it; a second leak of the same kind in the file gets its
 * own.
 */
export function fingerprints(findings: readonly Finding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const identity = [
      finding.rule,
      finding.file,
      finding.variable ?? '',
      finding.encoding ?? '',
      finding.commit ?? '',
    ].join('\0');
    const ordinal = seen.get(identity) ?? 0;
    seen.set(identity, ordinal + 1);
    return createHash('sha256').update(`${identity}\0${ordinal}`).digest('hex').slice(0, 32);
  });
}

function message(finding: Finding): string {
  const what =
    finding.variable === undefined
      ? `${finding.rule} (${finding.preview})`
      : `the value of ${finding.variable}${finding.encoding === undefined ? '' : `, ${finding.encoding}-encoded`} (${finding.preview})`;
  const where = finding.commit === undefined ? '' : ` in commit ${finding.commit}`;
  const verified =
    finding.verification === undefined
      ? ''
      : ` Verified live: ${finding.verification.rank} (${finding.verification.reason}).`;
  return `Exchange credential found${where}: ${what}.${verified} Rotate the key (exkeys rotate) and remove it from the file and the history.`;
}

/**
 * The SARIF level of a finding: `error`, except for one `scan --verify` found `invalid` (the
 * exchange refused it: still a leak to clean up, but no longer a live key), which is a `warning`.
 */
function levelOf(finding: Finding): 'error' | 'warning' {
  return finding.verification?.rank === 'invalid' ? 'warning' : 'error';
}

/** What {@link sarifLog} needs besides the findings. */
export interface SarifOptions {
  /** The CLI's version, for `tool.driver.version`. */
  version: string;
  /** Turns a finding's path into one relative to the repository root, with `/` separators. */
  uriOf: (finding: Finding) => string;
}

/** The findings as a SARIF 2.1.0 log. */
export function sarifLog(findings: readonly Finding[], options: SarifOptions): object {
  const rules = ruleCatalogue();
  const index = new Map(rules.map((rule, at) => [rule.id, at]));
  const prints = fingerprints(
    findings.map((finding) => ({ ...finding, file: options.uriOf(finding) })),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'exkeys',
            version: options.version,
            informationUri: 'https://www.npmjs.com/package/@exkeys/cli',
            rules: rules.map((rule) => ({
              id: rule.id,
              name: rule.id.replace(/(^|-)([a-z])/g, (_, _dash, c: string) => c.toUpperCase()),
              shortDescription: { text: rule.description },
              defaultConfiguration: { level: 'error' },
              properties: { tags: ['security', 'secret'] },
            })),
          },
        },
        results: findings.map((finding, at) => ({
          ruleId: finding.rule,
          ruleIndex: index.get(finding.rule) ?? 0,
          level: levelOf(finding),
          message: { text: message(finding) },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: options.uriOf(finding), uriBaseId: '%SRCROOT%' },
                region: { startLine: finding.line },
              },
            },
          ],
          partialFingerprints: { 'exkeysFinding/v1': prints[at] },
          properties: {
            exchange: finding.exchange,
            preview: finding.preview,
            ...(finding.commit === undefined ? {} : { commit: finding.commit }),
            ...(finding.variable === undefined ? {} : { variable: finding.variable }),
            ...(finding.encoding === undefined ? {} : { encoding: finding.encoding }),
            ...(finding.verification === undefined
              ? {}
              : {
                  verification: finding.verification.rank,
                  verificationReason: finding.verification.reason,
                }),
          },
        })),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
