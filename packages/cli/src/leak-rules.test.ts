import { generateKeyPairSync } from 'node:crypto';
import {
  EXCHANGES,
  type ExchangeFacts,
  type ValueShape,
  validateCredentials,
  variableNames,
} from '@exkeys/credentials';
import { RE2JS } from 're2js';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { gitleaksConfig } from './gitleaks-rules.js';
import { LEAK_RULES, looksRandom, PRIVATE_KEY_RULE, rulesFor } from './leak-rules.js';
import { type Finding, scanLines } from './scanner.js';

// A seeded generator, so a failure names values that reproduce.
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = prng(20_240_601);

const ALPHABET = {
  alphanumeric: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  hex: '0123456789abcdefABCDEF',
  // Whole 4-character groups of these are valid base64 without padding.
  base64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
} as const;

function run(charset: keyof typeof ALPHABET, length: number): string {
  const chars = ALPHABET[charset];
  let out = '';
  for (let i = 0; i < length; i += 1) out += chars[Math.floor(random() * chars.length)];
  return out;
}

/**
 * A random value of `groups` lengths joined by `-`, random-looking (the scanner ignores filler
 * such as `aaaa…`, so every value here, controls included, passes that filter).
 */
function randomValue(charset: keyof typeof ALPHABET, groups: readonly number[]): string {
  for (;;) {
    const value =
      charset === 'base64'
        ? `${run(charset, (groups[0] ?? 2) - 2)}==`
        : groups.map((length) => run(charset, length)).join('-');
    if (looksRandom(value)) return value;
  }
}

function scanCharset(shape: ValueShape): keyof typeof ALPHABET {
  if (shape.charset === 'any') throw new Error('passphrases are not scanned by shape');
  return shape.charset;
}

/** Every accepted length of a shape (of the scanned token of a pattern shape), as group lengths. */
function acceptedForms(shape: ValueShape): number[][] {
  if (shape.pattern !== undefined) return acceptedForms(shape.pattern.token);
  if (shape.groups !== undefined) return [[...shape.groups]];
  const forms: number[][] = [];
  // A base64 secret must decode: its lengths come in whole 4-character groups.
  const step = shape.charset === 'base64' ? 4 : 1;
  for (let length = shape.minLength; length <= shape.maxLength; length += step)
    forms.push([length]);
  return forms;
}

/** Values of the right characters but the wrong lengths or grouping, and of the wrong characters. */
function rejectedValues(input: ValueShape): string[] {
  const shape = input.pattern?.token ?? input;
  const charset = scanCharset(shape);
  const values: string[] = [];
  if (shape.groups !== undefined) {
    const [first = 1, second = 1, ...rest] = shape.groups;
    values.push(randomValue(charset, [first + 1, second - 1, ...rest]));
    values.push(randomValue(charset, [first - 1, second, ...rest]));
  } else if (charset === 'base64') {
    // Still valid base64 (whole groups), so validation only warns about the length.
    values.push(randomValue(charset, [shape.minLength - 4]));
    values.push(randomValue(charset, [shape.maxLength + 4]));
  } else {
    values.push(randomValue(charset, [shape.minLength - 1]));
    values.push(randomValue(charset, [shape.maxLength + 1]));
  }
  if (charset === 'hex') {
    // Letters and digits, but not hexadecimal: one run, so no shorter token can match either.
    const value = randomValue(charset, shape.groups ?? [shape.minLength]);
    values.push(`${value.slice(0, 3)}z${value.slice(4)}`);
  }
  return values;
}

/**
 * Values of `shape` built around a random token of `form`: the token itself, and for a pattern
 * shape every documented form around it (a Coinbase key name holds its key id), kept when the
 * pattern accepts them. A base64 secret of an exchange that generates the keys (Coinbase Ed25519)
 * must be a real key: validation checks that its second half is the public key of its first.
 */
function samples(facts: ExchangeFacts, field: Field, form: readonly number[]): string[] {
  const shape = facts[field];
  const token = shape.pattern?.token ?? shape;
  if (token.charset === 'base64' && facts.exchangeGeneratesKeys) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
    const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    return [Buffer.concat([seed, pub]).toString('base64')];
  }
  const value = randomValue(scanCharset(token), form);
  if (shape.pattern === undefined) return [value];
  const org = randomValue(scanCharset(token), form);
  const forms = [value, `organizations/${org}/apiKeys/${value}`];
  const accepted = forms.filter((candidate) =>
    new RegExp(`^(?:${shape.pattern?.source})$`).test(candidate),
  );
  expect(accepted.length, facts.id).toBeGreaterThan(0);
  return accepted;
}

function validValue(shape: ValueShape): string {
  const facts = Object.values(EXCHANGES).find((row) => row.key === shape || row.secret === shape);
  if (facts !== undefined) {
    const field = facts.key === shape ? 'key' : 'secret';
    return samples(facts, field, acceptedForms(shape)[0] ?? [])[0] ?? '';
  }
  return randomValue(scanCharset(shape), acceptedForms(shape)[0] ?? []);
}

type Field = 'key' | 'secret';

/** Validation of `value` in `field`, the other fields holding usual values. */
function validate(facts: ExchangeFacts, field: Field, value: string) {
  const names = variableNames(facts.id);
  const env: Record<string, string> = {
    [names.key]: field === 'key' ? value : validValue(facts.key),
    [names.secret]: field === 'secret' ? value : validValue(facts.secret),
  };
  if (facts.needsPassphrase) env[names.passphrase] = 'Canary-Pass-123';
  const result = validateCredentials(facts.id, { env });
  return {
    valid: result.valid,
    unusual: result.warnings.some(
      (warning) => warning.variable === names[field] && warning.code === 'unusual-shape',
    ),
  };
}

/** The scanner's findings for `value` on a line that names the exchange. */
function scan(facts: ExchangeFacts, value: string): Finding[] {
  const text = `const client = new ccxt.${facts.id}({ credential: '${value}' });`;
  return scanLines([{ text, number: 1, report: true }], { file: 'bot.ts' }, []);
}

/** The id of the rule that should find `field` of `facts`. */
function ruleFor(facts: ExchangeFacts, field: Field): string {
  const ids = rulesFor(facts)
    .filter((rule) => !rule.marker)
    .map((rule) => rule.id);
  const id = ids.find((candidate) => candidate.endsWith(`-${field}`)) ?? ids[0];
  return id ?? '(none)';
}

// Fixed values: drawing from the seeded generator here would shift the table tests' values below.
const fixedRun = (length: number, offset = 0) =>
  'Qx7Lm2Zr9Tk4Wn8Vb3Yp6Hs1Jd5Fc0AeGu'.repeat(4).slice(offset, offset + length);

describe('a base64 secret holding a run with a key shape', () => {
  it('is reported as the secret, not as the key inside it (Kraken: 56-character keys, 88-character secrets)', () => {
    const run56 = fixedRun(56);
    const secret = `${run56}/${fixedRun(29, 3)}==`;
    expect(secret).toHaveLength(88);
    expect(scan(EXCHANGES.kraken, secret).map((finding) => finding.rule)).toEqual([
      'kraken-secret',
    ]);
    // Control: the run alone is a key.
    expect(scan(EXCHANGES.kraken, run56).map((finding) => finding.rule)).toEqual(['kraken-key']);
  });

  it('is found in a .env line, where the variable name and = come right before it', () => {
    const secret = `${fixedRun(56)}/${fixedRun(29, 3)}==`;
    const found = scanLines(
      [{ text: `KRAKEN_API_SECRET=${secret}`, number: 1, report: true }],
      { file: '.env' },
      [],
    );
    expect(found.map((finding) => finding.rule)).toEqual(['kraken-secret']);
    // Coinbase's secrets have the same shape: the exchange named on the line wins, either way.
    const lines = [
      { text: `COINBASE_API_SECRET=${secret}`, number: 1, report: true },
      {
        text: `KRAKEN_API_SECRET=${fixedRun(40, 5)}+${fixedRun(45, 7)}==`,
        number: 2,
        report: true,
      },
    ];
    expect(scanLines(lines, { file: '.env' }, []).map((f) => f.rule)).toEqual([
      'coinbase-secret',
      'kraken-secret',
    ]);
  });
});

describe('the exchange table drives both validation and the scanner', () => {
  it('builds the built-in rules from every row', () => {
    const exchanges = new Set(LEAK_RULES.map((rule) => rule.exchange));
    expect([...exchanges].sort()).toEqual(Object.keys(EXCHANGES).sort());
    expect(LEAK_RULES.map((rule) => rule.id)).toContain('bybit-key');
    expect(LEAK_RULES.map((rule) => rule.id)).toContain('binance-key-or-secret');
  });

  for (const facts of Object.values(EXCHANGES)) {
    for (const field of ['key', 'secret'] as const) {
      const shape = facts[field];
      it(`${facts.id} ${field}: every accepted length validates and is found by ${ruleFor(facts, field)}`, () => {
        const rule = ruleFor(facts, field);
        let checked = 0;
        for (const form of acceptedForms(shape)) {
          for (let sample = 0; sample < 5; sample += 1) {
            for (const value of samples(facts, field, form)) {
              expect(validate(facts, field, value), value).toEqual({ valid: true, unusual: false });
              expect(
                scan(facts, value).map((finding) => finding.rule),
                value,
              ).toContain(rule);
              checked += 1;
            }
          }
        }
        expect(checked).toBeGreaterThanOrEqual(5);
      });

      it(`${facts.id} ${field}: wrong lengths and characters get a shape warning and escape ${ruleFor(facts, field)}`, () => {
        const rule = ruleFor(facts, field);
        const rejected = rejectedValues(shape);
        expect(rejected.length).toBeGreaterThanOrEqual(2);
        for (const value of rejected) {
          expect(validate(facts, field, value), value).toEqual({ valid: true, unusual: true });
          expect(
            scan(facts, value).map((finding) => finding.rule),
            value,
          ).not.toContain(rule);
        }
      });
    }

    it(`${facts.id}: a PEM secret of each allowed key type validates and is found`, () => {
      // Without PEM key types there is no private-key rule for the exchange.
      expect(rulesFor(facts).some((rule) => rule.marker)).toBe(facts.pemKeyTypes.length > 0);
      for (const type of facts.pemKeyTypes) {
        const { privateKey } =
          type === 'rsa'
            ? generateKeyPairSync('rsa', { modulusLength: 2048 })
            : type === 'ec-p256'
              ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
              : generateKeyPairSync('ed25519');
        const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trimEnd();
        expect(validate(facts, 'secret', pem), type).toEqual({ valid: true, unusual: false });
        const [header = ''] = pem.split('\n');
        expect(
          scan(facts, header).map((finding) => finding.rule),
          type,
        ).toContain(`${facts.id}-private-key`);
      }
    });
  }

  it('checks the passphrase length the table gives (validation only: passphrases are not shape-scanned)', () => {
    for (const facts of Object.values(EXCHANGES)) {
      const shape = facts.passphrase;
      if (shape === undefined) continue;
      const names = variableNames(facts.id);
      const check = (passphrase: string) =>
        validateCredentials(facts.id, {
          env: {
            [names.key]: validValue(facts.key),
            [names.secret]: validValue(facts.secret),
            [names.passphrase]: passphrase,
          },
        }).warnings.map((warning) => warning.variable);
      for (let length = shape.minLength; length <= shape.maxLength; length += 1) {
        expect(check(`${'p'.repeat(length - 1)}9`), `${length}`).toEqual([]);
      }
      expect(check(`${'p'.repeat(shape.minLength - 2)}9`)).toEqual([names.passphrase]);
      expect(check(`${'p'.repeat(shape.maxLength)}9`)).toEqual([names.passphrase]);
    }
  });
});

describe('looksRandom', () => {
  it('accepts random keys without a digit (about 4% of random 18-character keys have none)', () => {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const facts = EXCHANGES.bybit;
    // Its own generator: the values do not shift when a table row adds tests before this one.
    const own = prng(20_240_601);
    let checked = 0;
    let found = 0;
    for (let sample = 0; sample < 300; sample += 1) {
      let value = '';
      for (let i = 0; i < 18; i += 1) value += letters[Math.floor(own() * letters.length)];
      if (new Set(value).size < 8) continue;
      checked += 1;
      if (scan(facts, value).some((finding) => finding.rule === 'bybit-key')) found += 1;
    }
    expect(checked).toBeGreaterThan(290);
    // Letters that happen to read as words may escape: about 1 in 100 do (up to 2 across seeds).
    expect(found / checked).toBeGreaterThanOrEqual(0.98);
  });

  it('still rejects identifiers and filler of a key’s length', () => {
    for (const word of [
      'getExchangeBalances',
      'createBybitClientFactory',
      'BYBIT_API_SECRET_VALUE',
      'fetchOpenOrdersForSymbol',
      'enableRateLimitOption',
      'x'.repeat(20),
      'ab12'.repeat(5),
    ]) {
      expect(looksRandom(word), word).toBe(false);
    }
    expect(looksRandom('CANARYkey0bybit001')).toBe(true);
  });
});

/** Bits per character, as gitleaks computes a rule's `entropy`. */
function shannon(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values())
    bits -= (count / value.length) * Math.log2(count / value.length);
  return bits;
}

interface ExportedRule {
  id: string;
  description: string;
  regex: string;
  keywords: string[];
  entropy?: number;
  secretGroup: number;
}

describe('exkeys scan --export-rules gitleaks', () => {
  const config = parse(gitleaksConfig('9.9.9')) as unknown as {
    title: string;
    extend: { useDefault: boolean };
    rules: ExportedRule[];
  };
  const compiled = new Map(config.rules.map((rule) => [rule.id, RE2JS.compile(rule.regex)]));

  /** What gitleaks would report for `rule` in `text`: the secret group, if the rule fires. */
  function gitleaks(rule: ExportedRule, text: string): string | undefined {
    if (!rule.keywords.some((keyword) => text.toLowerCase().includes(keyword))) return undefined;
    const matcher = compiled.get(rule.id)?.matcher(text);
    if (!matcher?.find()) return undefined;
    const secret = matcher.group(rule.secretGroup) ?? undefined;
    if (secret === undefined || (rule.entropy !== undefined && shannon(secret) < rule.entropy)) {
      return undefined;
    }
    return secret;
  }

  function exported(id: string): ExportedRule {
    const rule = config.rules.find((candidate) => candidate.id === `exkeys-${id}`);
    if (rule === undefined) throw new Error(`no exported rule exkeys-${id}`);
    return rule;
  }

  it('is a gitleaks config that extends the default rules, one entry per rule, in RE2 syntax', () => {
    expect(config.extend.useDefault).toBe(true);
    expect(config.rules.map((rule) => rule.id).sort()).toEqual(
      [...LEAK_RULES, PRIVATE_KEY_RULE].map((rule) => `exkeys-${rule.id}`).sort(),
    );
    for (const rule of config.rules) {
      expect(rule.description.length, rule.id).toBeGreaterThan(10);
      expect(rule.keywords.length, rule.id).toBeGreaterThan(0);
      expect(rule.secretGroup, rule.id).toBe(1);
      expect(compiled.get(rule.id), rule.id).toBeDefined();
    }
    // RE2 has no look-around: our own token patterns would not compile there.
    expect(() => RE2JS.compile(LEAK_RULES[0]?.pattern.source ?? '')).toThrow();
  });

  for (const facts of Object.values(EXCHANGES)) {
    for (const field of ['key', 'secret'] as const) {
      it(`${facts.id} ${field}: the exported rule matches our positive fixtures and none of the negative ones`, () => {
        const rule = exported(ruleFor(facts, field));
        const shape = facts[field];
        for (const form of acceptedForms(shape)) {
          const value = randomValue(scanCharset(shape), form);
          const line = `const client = new ccxt.${facts.id}({ credential: '${value}' });`;
          expect(gitleaks(rule, line), value).toBe(value);
          // Without the exchange's name gitleaks never runs the rule.
          expect(gitleaks(rule, `credential: '${value}'`), value).toBeUndefined();
        }
        for (const value of [...rejectedValues(shape), 'x'.repeat(shape.minLength)]) {
          const line = `const client = new ccxt.${facts.id}({ credential: '${value}' });`;
          expect(gitleaks(rule, line), value).not.toBe(value);
        }
      });
    }
  }

  it('exports the private-key rules, which fire on a PEM header only', () => {
    const header = '-----BEGIN PRIVATE KEY-----';
    expect(gitleaks(exported('private-key'), `${header}\nMC4CAQ\n`)).toBe(header);
    expect(gitleaks(exported('bybit-private-key'), `# bybit\n${header}\n`)).toBe(header);
    expect(gitleaks(exported('private-key'), '-----BEGIN PUBLIC KEY-----\n')).toBeUndefined();
  });
});
