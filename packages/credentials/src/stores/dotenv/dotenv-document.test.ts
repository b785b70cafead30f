import { generateKeyPairSync } from 'node:crypto';
import { parse } from 'dotenv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CredentialsError } from '../../errors.js';
import { DotenvDocument } from './dotenv-document.js';

const CANARY = 'CANARYSECRETdotenvdoc0123456789';

function roundTrip(
  text: string,
  name: string,
): { dotenv: string | undefined; ours: string | undefined } {
  return { dotenv: parse(text)[name], ours: DotenvDocument.parse(text).get(name) };
}

function refusal(run: () => void): CredentialsError {
  try {
    run();
  } catch (error) {
    if (CredentialsError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a CredentialsError');
}

// A value needs refusing only when each quoting style is broken by something in it.
function plausiblyUnrepresentable(value: string): boolean {
  const endsInBackslash = value.endsWith('\\');
  return (
    (/['\r]/.test(value) || endsInBackslash) &&
    (/[`\r]/.test(value) || endsInBackslash) &&
    (/"|\\[nr]/.test(value) || endsInBackslash)
  );
}

const HAND_WRITTEN = [
  '# Exchange keys for the bot',
  'export BYBIT_API_KEY=abc123 # main account',
  '',
  "OKX_API_SECRET='single quoted'",
  'OKX_API_PASSPHRASE="double \\n quoted"',
  'SPACED = spaced value   ',
  'BINANCE_API_KEY=`backtick`',
  '   # indented comment',
  'EMPTY=',
  'PEM="-----BEGIN KEY-----',
  'abc',
  '-----END KEY-----"',
  'LAST=last',
].join('\n');

describe('DotenvDocument reading', () => {
  it('reads hand-written files exactly like dotenv.parse, and gives the text back unchanged', () => {
    for (const text of [
      HAND_WRITTEN,
      HAND_WRITTEN.replace(/\n/g, '\r\n'),
      `${HAND_WRITTEN}\n`,
      '',
    ]) {
      const document = DotenvDocument.parse(text);
      expect(document.toRecord()).toEqual(parse(text));
      expect(document.toString()).toBe(text);
    }
  });

  it('lets the last duplicate win, as dotenv does', () => {
    const text = 'A=first\nB=1\nA=second\n';
    expect(parse(text).A).toBe('second');
    const document = DotenvDocument.parse(text);
    expect(document.get('A')).toBe('second');
    expect(document.names()).toEqual(['A', 'B']);
  });

  it('never throws and agrees with dotenv.parse on arbitrary text', () => {
    const piece = fc.constantFrom(
      'A',
      'B_2',
      'export ',
      '=',
      ': ',
      ' ',
      '\t',
      '#',
      "'",
      '"',
      '`',
      '\\',
      '\\n',
      '\n',
      '\r\n',
      '\r',
      'x',
      '\u2028',
      '# exkeys:rotated-at A 2025-01-01T00:00:00.000Z\n',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(piece, fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 40 }),
        (pieces) => {
          const text = pieces.join('');
          const document = DotenvDocument.parse(text);
          expect(document.toRecord()).toEqual(parse(text));
          expect(document.toString()).toBe(text);
          for (const name of document.names()) expect(document.get(name)).toBe(parse(text)[name]);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('keeps `__proto__` behaving as in dotenv and leaves Object keys undefined', () => {
    const text = '__proto__=x\nA=1\n';
    expect(DotenvDocument.parse(text).toRecord()).toEqual(parse(text));
    expect(DotenvDocument.parse(text).get('constructor')).toBeUndefined();
    expect(DotenvDocument.parse(text).get('toString')).toBeUndefined();
  });
});

describe('DotenvDocument.set', () => {
  it('updates in place and leaves every other byte as it was', () => {
    const document = DotenvDocument.parse(HAND_WRITTEN);
    document.set('OKX_API_SECRET', 'new-secret');
    expect(document.toString()).toBe(
      HAND_WRITTEN.replace("OKX_API_SECRET='single quoted'", 'OKX_API_SECRET=new-secret'),
    );
  });

  it('keeps the export prefix, the spacing and a trailing comment', () => {
    const document = DotenvDocument.parse(HAND_WRITTEN);
    document.set('BYBIT_API_KEY', 'rotated');
    document.set('SPACED', 'x y');
    expect(document.toString()).toBe(
      HAND_WRITTEN.replace('abc123 # main account', 'rotated # main account').replace(
        'SPACED = spaced value   ',
        'SPACED = x y   ',
      ),
    );
    expect(parse(document.toString())).toMatchObject({ BYBIT_API_KEY: 'rotated', SPACED: 'x y' });
  });

  it('rewrites a multi-line value as a whole', () => {
    const document = DotenvDocument.parse(HAND_WRITTEN);
    document.set('PEM', 'short');
    expect(document.toString()).toBe(
      HAND_WRITTEN.replace('PEM="-----BEGIN KEY-----\nabc\n-----END KEY-----"', 'PEM=short'),
    );
  });

  it('keeps CRLF line endings and uses them for appended lines', () => {
    const text = 'A=1\r\n# note\r\nB=2\r\n';
    const document = DotenvDocument.parse(text);
    document.set('B', 'two');
    document.set('C', 'three');
    expect(document.toString()).toBe('A=1\r\n# note\r\nB=two\r\nC=three\r\n');
  });

  it('appends to a file without a final newline, keeping it without one', () => {
    const document = DotenvDocument.parse('A=1\n# last line');
    document.set('B', 'x');
    expect(document.toString()).toBe('A=1\n# last line\nB=x');
    const empty = DotenvDocument.parse('');
    empty.set('A', 'v');
    expect(empty.toString()).toBe('A=v\n');
  });

  it('updates the definition dotenv uses when a name is duplicated', () => {
    const document = DotenvDocument.parse('A=first\nA=second\n');
    document.set('A', 'third');
    expect(document.toString()).toBe('A=first\nA=third\n');
    expect(parse(document.toString()).A).toBe('third');
  });

  it('rewrites a value that dotenv reads from the line below the `=`', () => {
    const text = "A=\n'below'\nB=1\n";
    expect(parse(text)).toEqual({ A: 'below', B: '1' });
    const document = DotenvDocument.parse(text);
    document.set('A', 'here');
    expect(parse(document.toString())).toEqual({ A: 'here', B: '1' });
    expect(document.toString()).toBe('A=here\nB=1\n');
  });

  it('updates values written with the `NAME: value` syntax dotenv also accepts', () => {
    const text = "A: one\nB:\n'two'\nC=3\n";
    expect(parse(text)).toEqual({ A: 'one', B: 'two', C: '3' });
    const document = DotenvDocument.parse(text);
    document.set('A', 'uno');
    document.set('B', 'dos');
    expect(document.toString()).toBe('A: uno\nB:\ndos\nC=3\n');
    expect(parse(document.toString())).toEqual({ A: 'uno', B: 'dos', C: '3' });
  });

  const injections = [
    'a\nEVIL=1',
    'a\r\nEVIL=1',
    'a\rEVIL=1',
    '\nEVIL=1\n',
    "x'\nEVIL=1\n'",
    'x"\nEVIL=1\n"',
    'x`\nEVIL=1\n`',
    'a=b',
    '#not a comment',
    'a # b',
    "it's",
    'say "hi"',
    '`cmd`',
    'back\\slash',
    'ends with backslash\\',
    'literal \\n sequence',
    '$' + '{HOME}',
    'trailing  ',
    '  leading',
    '\ttab\t',
    '',
    ' ',
    "'",
    '"',
    '`',
    '\\',
    "'quoted'",
    '"quoted"',
    'line\u2028separator',
    '\uFEFFbom',
    'ünïcödé 🔑',
    `${CANARY}\n# exkeys:rotated-at OTHER 2020-01-01T00:00:00.000Z`,
  ];

  it.each(injections.map((value) => [JSON.stringify(value), value]))(
    'stores %s faithfully without creating another variable',
    (_label, value) => {
      const document = DotenvDocument.parse('BEFORE=1\nOTHER=keep\n');
      document.setRotatedAt('OTHER', '2025-01-01T00:00:00.000Z');
      document.set('VALUE', value);
      document.set('AFTER', 'z');
      const text = document.toString();
      expect(parse(text)).toEqual({ BEFORE: '1', OTHER: 'keep', VALUE: value, AFTER: 'z' });
      expect(DotenvDocument.parse(text).toRecord()).toEqual(parse(text));
      expect(DotenvDocument.parse(text).rotatedAt('OTHER')).toBe('2025-01-01T00:00:00.000Z');
      expect(parse(text, { fast: true })).toEqual(parse(text));
      // Updating in place works as well as appending.
      const again = DotenvDocument.parse(text);
      again.set('VALUE', `${value}2`);
      again.set('VALUE', value);
      expect(parse(again.toString())).toEqual(parse(text));
    },
  );

  it('round-trips RSA and Ed25519 PEM private keys, also in CRLF files', () => {
    const keys = [
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      generateKeyPairSync('ed25519').privateKey,
    ].map((key) => key.export({ type: 'pkcs8', format: 'pem' }).toString());
    for (const eol of ['\n', '\r\n']) {
      for (const pem of keys) {
        const document = DotenvDocument.parse(`A=1${eol}`);
        document.set('PEM', pem);
        expect(roundTrip(document.toString(), 'PEM')).toEqual({ dotenv: pem, ours: pem });
        expect(document.toString().split(eol)).toHaveLength(3);
      }
    }
  });

  it('refuses a value no quoting can carry, naming the variable and not the value', () => {
    const value = `${CANARY}'"\`#`;
    const document = DotenvDocument.parse('A=1\n');
    const error = refusal(() => document.set('HARD_SECRET', value));
    expect(error.code).toBe('unrepresentable-value');
    expect(error.message).toContain('HARD_SECRET');
    expect(error.message).toMatch(/keystore|keychain/);
    expect(error.message).not.toContain(CANARY);
    expect(String(error.stack)).not.toContain(CANARY);
    expect(document.toString()).toBe('A=1\n');
    // An existing variable is left untouched too.
    const existing = DotenvDocument.parse('HARD_SECRET=old\n');
    expect(() => existing.set('HARD_SECRET', value)).toThrow(CredentialsError);
    expect(existing.toString()).toBe('HARD_SECRET=old\n');
  });

  it('refuses names dotenv cannot read', () => {
    for (const name of ['', 'A B', 'A=B', 'A\nB', '__proto__', 'ÄPI']) {
      const document = DotenvDocument.parse('A=1\n');
      expect(refusal(() => document.set(name, 'v')).code).toBe('unrepresentable-value');
      expect(document.toString()).toBe('A=1\n');
    }
  });

  it('round-trips thousands of arbitrary strings through both parsers, or refuses them untouched', () => {
    const special = fc.constantFrom(
      "'",
      '"',
      '`',
      '\\',
      '\\n',
      '\n',
      '\r',
      '\r\n',
      '#',
      '=',
      ' ',
      '\t',
      '$' + '{A}',
      '\u0000',
      '\u2028',
      '\u00a0',
      'EVIL=1',
      'export ',
    );
    const unit = fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    const base = 'export FIRST=one # comment\r\n\r\nQUOTED="two"\r\n# note\r\nLAST=`three`';
    const before = parse(base);
    let refused = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 24 }), fc.boolean(), (value, existing) => {
        runs++;
        const name = existing ? 'QUOTED' : 'NEW_VAR';
        const document = DotenvDocument.parse(base);
        try {
          document.set(name, value);
        } catch (error) {
          expect(CredentialsError.isInstance(error) && error.code).toBe('unrepresentable-value');
          expect(document.toString()).toBe(base);
          expect(plausiblyUnrepresentable(value)).toBe(true);
          refused++;
          return;
        }
        const text = document.toString();
        expect(parse(text)).toEqual({ ...before, [name]: value });
        expect(DotenvDocument.parse(text).get(name)).toBe(value);
        expect(DotenvDocument.parse(text).toRecord()).toEqual(parse(text));
      }),
      { numRuns: 4000 },
    );
    // With quotes, backslashes and line breaks this over-represented, refusals still stay rare.
    expect(refused).toBeLessThan(runs * 0.1);
  });

  it('never refuses realistic keys, secrets and passphrases', () => {
    const token = fc.string({
      unit: fc.constantFrom(
        ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_!@#$%^&*().',
      ),
      minLength: 1,
      maxLength: 88,
    });
    fc.assert(
      fc.property(token, (value) => {
        const document = DotenvDocument.parse('A=1\n');
        document.set('SECRET', value);
        expect(parse(document.toString())).toEqual({ A: '1', SECRET: value });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('DotenvDocument.delete', () => {
  it('removes every definition and its metadata, and nothing else', () => {
    const document = DotenvDocument.parse('A=1\n# keep me\nB=2\r\nA=3 # trailing\nC=4\n');
    document.setRotatedAt('A', '2025-01-01T00:00:00.000Z');
    document.delete('A');
    expect(document.toString()).toBe('# keep me\nB=2\r\nC=4\n');
    expect(document.rotatedAt('A')).toBeNull();
  });

  it('removes a multi-line value whole and keeps a missing final newline missing', () => {
    const document = DotenvDocument.parse("A=1\nPEM='x\ny\nz'\nB=2");
    document.delete('B');
    expect(document.toString()).toBe("A=1\nPEM='x\ny\nz'");
    document.delete('PEM');
    expect(document.toString()).toBe('A=1');
    document.delete('MISSING');
    expect(document.toString()).toBe('A=1');
  });
});

describe('rotation metadata', () => {
  const iso = '2025-01-31T12:00:00.000Z';

  it('is a comment above the variable that dotenv ignores', () => {
    const document = DotenvDocument.parse('# header\nexport A=1\nB=2\n');
    document.setRotatedAt('A', iso);
    expect(document.toString()).toBe(`# header\n# exkeys:rotated-at A ${iso}\nexport A=1\nB=2\n`);
    expect(parse(document.toString())).toEqual({ A: '1', B: '2' });
    expect(document.rotatedAt('A')).toBe(iso);
    expect(document.rotatedAt('B')).toBeNull();
  });

  it('is updated in place and survives value updates and hand edits of other lines', () => {
    const document = DotenvDocument.parse('A=1\r\nB=2\r\n');
    document.setRotatedAt('B', iso);
    document.set('B', 'new');
    document.setRotatedAt('B', '2026-02-01T00:00:00.000Z');
    const text = document.toString();
    expect(text).toBe('A=1\r\n# exkeys:rotated-at B 2026-02-01T00:00:00.000Z\r\nB=new\r\n');
    const edited = DotenvDocument.parse(
      `# added by hand\r\n${text.replace('A=1', 'A=changed')}X=9\r\n`,
    );
    expect(edited.rotatedAt('B')).toBe('2026-02-01T00:00:00.000Z');
    edited.set('A', 'again');
    expect(edited.rotatedAt('B')).toBe('2026-02-01T00:00:00.000Z');
  });

  it('is removed by setRotatedAt(null), deduplicated on update, and ignored when malformed', () => {
    const text = `# exkeys:rotated-at A ${iso}\n# exkeys:rotated-at A not-a-date\nA=1\n`;
    expect(DotenvDocument.parse(text).rotatedAt('A')).toBeNull();
    const document = DotenvDocument.parse(text);
    document.setRotatedAt('A', iso);
    expect(document.toString()).toBe(`# exkeys:rotated-at A ${iso}\nA=1\n`);
    document.setRotatedAt('A', null);
    expect(document.toString()).toBe('A=1\n');
    expect(
      DotenvDocument.parse('# exkeys:rotated-at A 2025-13-45T99:00:00Z\nA=1').rotatedAt('A'),
    ).toBeNull();
  });

  it('is not read from inside a multi-line value, nor for undefined variables', () => {
    const text = `A='x\n# exkeys:rotated-at B ${iso}\n'\nB=2\n# exkeys:rotated-at GONE ${iso}\n`;
    const document = DotenvDocument.parse(text);
    expect(document.rotatedAt('B')).toBeNull();
    expect(document.rotatedAt('GONE')).toBeNull();
    document.setRotatedAt('NOPE', iso);
    expect(document.toString()).toBe(text);
  });

  it('refuses a rotation time that is not ISO 8601', () => {
    const document = DotenvDocument.parse('A=1\n');
    expect(refusal(() => document.setRotatedAt('A', 'yesterday')).code).toBe(
      'unrepresentable-value',
    );
    expect(document.toString()).toBe('A=1\n');
  });
});

describe('DotenvDocument.apply and variables (what the .env store and the age store share)', () => {
  const iso = '2025-01-31T12:00:00.000Z';

  it('applies sets, deletes and rotation times in one call, like the separate edits', () => {
    const text = `# keep\nA=1\n# exkeys:rotated-at B ${iso}\nB=2\nC=3\n`;
    const batch = DotenvDocument.parse(text);
    batch.apply({ A: 'one', B: null, D: CANARY }, { A: iso, D: '2026-01-01T00:00:00.000Z' });
    const oneByOne = DotenvDocument.parse(text);
    oneByOne.set('A', 'one');
    oneByOne.delete('B');
    oneByOne.set('D', CANARY);
    oneByOne.setRotatedAt('A', iso);
    oneByOne.setRotatedAt('D', '2026-01-01T00:00:00.000Z');
    expect(batch.toString()).toBe(oneByOne.toString());
    expect(parse(batch.toString())).toEqual({ A: 'one', C: '3', D: CANARY });
    expect(batch.toString()).toContain('# keep\n');
    expect(batch.toString()).not.toContain('exkeys:rotated-at B');
  });

  it('lists every variable with its rotation time: the last valid comment, null when unknown', () => {
    const text = [
      `# exkeys:rotated-at A 2020-01-01T00:00:00.000Z`,
      `# exkeys:rotated-at A ${iso}`,
      'A=1',
      '# exkeys:rotated-at B not-a-date',
      'B=2',
      'C=3',
      `# exkeys:rotated-at GONE ${iso}`,
      '',
    ].join('\n');
    const document = DotenvDocument.parse(text);
    expect(document.variables()).toEqual([
      { name: 'A', rotatedAt: iso },
      { name: 'B', rotatedAt: null },
      { name: 'C', rotatedAt: null },
    ]);
    expect(document.variables().map((v) => v.rotatedAt)).toEqual(
      document.names().map((name) => document.rotatedAt(name)),
    );
  });

  it('sees its own edits: the rotation index is rebuilt after a change', () => {
    const document = DotenvDocument.parse('A=1\n');
    expect(document.rotatedAt('A')).toBeNull();
    document.apply({}, { A: iso });
    expect(document.variables()).toEqual([{ name: 'A', rotatedAt: iso }]);
    document.apply({ A: null });
    expect(document.variables()).toEqual([]);
  });

  it('lists thousands of variables correctly (the one-pass index keeps each name apart)', () => {
    const lines: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      if (i % 3 !== 0)
        lines.push(
          `# exkeys:rotated-at V${i} 2025-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
        );
      lines.push(`V${i}=${i}`);
    }
    const variables = DotenvDocument.parse(lines.join('\n')).variables();
    expect(variables).toHaveLength(3_000);
    expect(variables[0]).toEqual({ name: 'V0', rotatedAt: null });
    expect(variables[2_997]).toEqual({ name: 'V2997', rotatedAt: null });
    expect(variables[2_999]).toEqual({ name: 'V2999', rotatedAt: '2025-01-01T00:00:59.000Z' });
    expect(variables[2_998]).toEqual({ name: 'V2998', rotatedAt: '2025-01-01T00:00:58.000Z' });
  });
});

describe('DotenvDocument.values and snapshot', () => {
  it('hold what dotenv.parse reads, and the variables with their rotation times', () => {
    const text = `# exkeys:rotated-at A 2025-01-31T12:00:00.000Z\nA=1\nB="two words"\nA2=${CANARY}\n`;
    const document = DotenvDocument.parse(text);
    expect(Object.fromEntries(document.values())).toEqual(parse(text));
    expect(document.snapshot()).toEqual({
      values: document.values(),
      variables: document.variables(),
    });
    expect(document.snapshot().variables[0]).toEqual({
      name: 'A',
      rotatedAt: '2025-01-31T12:00:00.000Z',
    });
  });
});
