/**
 * Our pattern rules as a gitleaks config (`exkeys scan --export-rules gitleaks`), so teams that run
 * gitleaks can take them along: `[extend] useDefault = true` keeps gitleaks' own rules, and each of
 * ours becomes a `[[rules]]` entry in Go RE2 syntax (no look-around: a token is delimited by
 * non-token characters instead), with the exchange's name as its keyword (gitleaks only runs a rule
 * on text holding one of its keywords) and a Shannon-entropy floor in place of `looksRandom`.
 * Configured values are never exported: they are secrets.
 * @module
 */
import { EXCHANGES } from '@exkeys/credentials';
import { BASE64_TOKEN_CHARS, LEAK_RULES, type LeakRule, PRIVATE_KEY_RULE } from './leak-rules.js';
import { ruleCatalogue } from './scan-report.js';

/** One gitleaks `[[rules]]` entry. */
export interface GitleaksRule {
  /** Rule id, `exkeys-` plus ours. */
  id: string;
  /** What it finds. */
  description: string;
  /** A Go RE2 pattern; group {@link GitleaksRule.secretGroup} is the value. */
  regex: string;
  /** gitleaks runs the rule only on text containing one of these (lowercase). */
  keywords: string[];
  /** Minimum Shannon entropy (bits per character) of the value; omitted for markers. */
  entropy?: number;
  /** The capture group holding the value. */
  secretGroup: number;
}

// Characters a key is made of; a token starts and ends where they stop.
const TOKEN_CHAR = 'A-Za-z0-9-';

/**
 * The entropy floor for a rule: random alphanumeric values of key length score about 4 bits per
 * character and hexadecimal ones about 3.7; identifiers and filler score lower.
 */
function entropyFloor(rule: LeakRule): number {
  const hex = rule.whole.source.includes('0-9A-Fa-f');
  return hex ? 3 : 3.5;
}

function chars(rule: LeakRule): string {
  return rule.base64 ? BASE64_TOKEN_CHARS : TOKEN_CHAR;
}

function body(rule: LeakRule): string {
  return rule.whole.source.replace(/^\^\(\?:/, '').replace(/\)\$$/, '');
}

/** The gitleaks rules, one per built-in pattern rule. */
export function gitleaksRules(): GitleaksRule[] {
  const descriptions = new Map(ruleCatalogue().map((rule) => [rule.id, rule.description]));
  return [...LEAK_RULES, PRIVATE_KEY_RULE].map((rule) => {
    const description = descriptions.get(rule.id) ?? rule.id;
    if (rule.marker) {
      const keywords = rule.exchange === '' ? ['private key'] : [rule.exchange];
      return {
        id: `exkeys-${rule.id}`,
        description,
        regex: `(${body(rule)})`,
        keywords,
        secretGroup: 1,
      };
    }
    return {
      id: `exkeys-${rule.id}`,
      description,
      // `=` pads the end of a base64 value, so one may precede it (`NAME=<value>`), never follow it.
      regex: `(?:^|[^${chars(rule).replace('=', '')}])(${body(rule)})(?:[^${chars(rule)}]|$)`,
      keywords: [EXCHANGES[rule.exchange as keyof typeof EXCHANGES]?.id ?? rule.exchange],
      entropy: entropyFloor(rule),
      secretGroup: 1,
    };
  });
}

// TOML literal strings ('…') take a regex as is; basic strings need JSON-style escapes.
function literal(text: string): string {
  if (text.includes("'") || text.includes('\n')) return JSON.stringify(text);
  return `'${text}'`;
}

/** The names of the exchanges in the core's table, sorted: `Binance, Bybit, KuCoin and OKX`. */
function exchangeNames(): string {
  const names = Object.values(EXCHANGES)
    .map((facts) => facts.name)
    .sort((a, b) => a.localeCompare(b));
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
}

/** The gitleaks config file (TOML) holding {@link gitleaksRules}. */
export function gitleaksConfig(version: string): string {
  const lines = [
    `# gitleaks rules exported by exkeys ${version} (exkeys scan --export-rules gitleaks).`,
    `# Keys and secrets of ${exchangeNames()} near the exchange name, and PEM private keys.`,
    `title = ${JSON.stringify('exkeys exchange credential rules')}`,
    '',
    '[extend]',
    'useDefault = true',
  ];
  for (const rule of gitleaksRules()) {
    lines.push(
      '',
      '[[rules]]',
      `id = ${JSON.stringify(rule.id)}`,
      `description = ${JSON.stringify(rule.description)}`,
      `regex = ${literal(rule.regex)}`,
      `keywords = [${rule.keywords.map((keyword) => JSON.stringify(keyword)).join(', ')}]`,
      ...(rule.entropy === undefined ? [] : [`entropy = ${rule.entropy.toFixed(1)}`]),
      `secretGroup = ${rule.secretGroup}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
