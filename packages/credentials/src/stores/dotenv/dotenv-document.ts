/**
 * A lossless, editable `.env` document. It reads a file exactly the way `dotenv.parse` does (the same
 * line grammar, last definition wins) and edits only the bytes of the variables it changes: comments,
 * blank lines, `export ` prefixes, quoting, CRLF line endings and a missing final newline survive.
 * @module
 */
import { createRequire } from 'node:module';
import { CredentialsError } from '../../errors.js';
import type { StoreChanges, StoredVariableInfo, StoreSnapshot } from '../store.js';
import { hasLoneSurrogate } from './dotenv-bytes.js';

// dotenv 18's default line grammar (`LINE` in its source), with `d` for group offsets. Reusing it
// verbatim is what makes `toRecord()` agree with `dotenv.parse` on every input, odd ones included.
const LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;
const NAME = /^[\w.-]+$/;
const METADATA = /^[ \t]*#[ \t]*exkeys:rotated-at[ \t]+([\w.-]+)(?:[ \t]+(\S*))?[ \t]*$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Where one definition sits, in offsets of the normalized (LF-only) text. */
interface Definition {
  name: string;
  /** Start of the physical line holding the name. */
  lineStart: number;
  /** End of the `=` (or `: `) after the name. */
  separatorEnd: number;
  /** Span of the raw value (quotes included, surrounding blanks excluded); empty when absent. */
  valueStart: number;
  valueEnd: number;
}

/** A `# exkeys:rotated-at` comment line, in normalized offsets (`end` excludes the line break). */
interface MetadataLine {
  name: string;
  start: number;
  end: number;
  iso: string;
}

interface ParsedText {
  text: string;
  normalized: string;
  /** `origin[i]` is the offset in `text` of normalized character `i`; one extra entry for the end. */
  origin: Uint32Array;
  definitions: Definition[];
  values: Map<string, string>;
  metadata: MetadataLine[];
  /** The last metadata line of each name, built on first use: one pass, not one scan per name. */
  rotation?: Map<string, MetadataLine>;
}

/**
 * A `.env` file held as text, readable and editable without disturbing anything it does not change.
 * {@link DotenvDocument.toString} gives the input back byte for byte, except the lines that were set,
 * deleted or given rotation metadata. Rotation times live in comments dotenv ignores:
 * `# exkeys:rotated-at BYBIT_API_KEY 2025-01-31T12:00:00.000Z`, just above the variable.
 *
 * Every edit is verified by parsing the result again: a write that would change any other variable,
 * or read back differently, is never made.
 */
export class DotenvDocument {
  #parsed: ParsedText;

  private constructor(parsed: ParsedText) {
    this.#parsed = parsed;
  }

  /** Reads `text`. Never throws: lines dotenv would skip are kept verbatim and ignored. */
  static parse(text: string): DotenvDocument {
    return new DotenvDocument(parseText(text));
  }

  /** The value of `name` exactly as `dotenv.parse` reads it, or `undefined` when not defined. */
  get(name: string): string | undefined {
    const record = this.toRecord();
    return Object.hasOwn(record, name) ? record[name] : undefined;
  }

  /** Every variable, equal to `dotenv.parse(this.toString())`. */
  toRecord(): Record<string, string> {
    return toRecord(this.#parsed.values);
  }

  /** The names of the defined variables, in the order dotenv reports them. */
  names(): string[] {
    return Object.keys(this.toRecord());
  }

  /**
   * Sets `name` to `value`: the definition dotenv uses is rewritten in place (keeping its `export `
   * prefix and any trailing comment), otherwise a line is appended. The value is written plain when
   * that is safe, else in single, double or backtick quotes, whichever reads back exactly.
   * @throws {CredentialsError} `unrepresentable-value` when no quoting reads back exactly (the value
   * mixes all three quote characters with characters that need quoting), or when the value holds a
   * lone UTF-16 surrogate, which no file can hold; the document is unchanged.
   */
  set(name: string, value: string): void {
    assertName(name);
    if (hasLoneSurrogate(value)) {
      throw new CredentialsError(
        'unrepresentable-value',
        `The value of ${name} holds a lone UTF-16 surrogate (half of a character such as an emoji), ` +
          'which no file can store: UTF-8 would write U+FFFD instead and the value would read back ' +
          'different. Nothing was written. Copy the value again from its source.',
      );
    }
    const parsed = this.#parsed;
    const expected = new Map(parsed.values);
    expected.set(name, value);
    const definition = lastDefinition(parsed, name);
    const candidates = encodings(value, lineBreak(parsed.text));
    // First choice: a text both of dotenv's parsers (default and `fast`) read the same way.
    for (const strict of [true, false]) {
      for (const encoded of candidates) {
        const next = parseText(
          definition === undefined
            ? appendLine(parsed, `${name}=${encoded}`)
            : replaceValue(parsed, definition, encoded),
        );
        if (sameValues(next.values, expected) && (!strict || agreesWithFastParser(next))) {
          this.#parsed = next;
          return;
        }
      }
    }
    throw new CredentialsError(
      'unrepresentable-value',
      `The value of ${name} cannot be written to a .env file so that dotenv reads it back exactly: ` +
        'no quoting style can hold it (it mixes the quote characters \' " ` with a line break, #, ' +
        'backslashes or surrounding spaces). Nothing was written. Keep this variable in the age ' +
        'keystore or the OS keychain instead, or use a value without one of the quote characters.',
    );
  }

  /** Removes every definition of `name` and its rotation metadata. Does nothing when undefined. */
  delete(name: string): void {
    const parsed = this.#parsed;
    const edits: Edit[] = [];
    for (const definition of parsed.definitions) {
      if (definition.name === name)
        edits.push(removeLines(parsed, definition.lineStart, definition.valueEnd));
    }
    for (const line of parsed.metadata) {
      if (line.name === name) edits.push(removeLines(parsed, line.start, line.end));
    }
    if (edits.length === 0) return;
    const expected = new Map(parsed.values);
    expected.delete(name);
    this.#commit(applyEdits(parsed.text, edits), expected, name);
  }

  /** When `name` was last rotated (the ISO 8601 text recorded), or `null` when unknown or malformed. */
  rotatedAt(name: string): string | null {
    if (!this.#parsed.values.has(name)) return null;
    const line = rotationLines(this.#parsed).get(name);
    return line !== undefined && isIsoTimestamp(line.iso) ? line.iso : null;
  }

  /** Every variable as a `Map`, equal to `dotenv.parse(this.toString())`. */
  values(): Map<string, string> {
    return new Map(Object.entries(this.toRecord()));
  }

  /** The values and the variables with their rotation times: what a store's `snapshot()` returns. */
  snapshot(): StoreSnapshot {
    return { values: this.values(), variables: this.variables() };
  }

  /**
   * Every defined variable with its rotation time, in the order of {@link DotenvDocument.names}.
   * Linear in the size of the document, however many variables it holds.
   */
  variables(): StoredVariableInfo[] {
    return this.names().map((name) => ({ name, rotatedAt: this.rotatedAt(name) }));
  }

  /**
   * Applies a batch of store changes: a string sets the variable, `null` deletes it (with its
   * metadata); then records the rotation times in `rotatedAt` (see
   * {@link DotenvDocument.setRotatedAt}). Each step is verified like a single edit.
   * @throws {CredentialsError} `unrepresentable-value` as `set` and `setRotatedAt` do; the changes
   * before the failing one stay applied to this document (nothing is written anywhere).
   */
  apply(changes: StoreChanges, rotatedAt: Readonly<Record<string, string>> = {}): void {
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) this.delete(name);
      else this.set(name, value);
    }
    for (const [name, iso] of Object.entries(rotatedAt)) this.setRotatedAt(name, iso);
  }

  /**
   * Records (or with `null` removes) the rotation time of `name`. An existing metadata comment is
   * updated in place; otherwise one is inserted just above the variable. Does nothing when `name`
   * is not defined.
   * @throws {CredentialsError} `unrepresentable-value` when `iso` is not an ISO 8601 timestamp.
   */
  setRotatedAt(name: string, iso: string | null): void {
    const parsed = this.#parsed;
    const definition = lastDefinition(parsed, name);
    if (definition === undefined) return;
    if (iso !== null && !isIsoTimestamp(iso)) {
      throw new CredentialsError(
        'unrepresentable-value',
        `The rotation time of ${name} must be an ISO 8601 timestamp such as 2025-01-31T12:00:00.000Z; ` +
          'pass new Date().toISOString().',
      );
    }
    const lines = parsed.metadata.filter((entry) => entry.name === name);
    const kept = iso === null ? undefined : lines.pop();
    const edits = lines.map((line) => removeLines(parsed, line.start, line.end));
    const comment = `# exkeys:rotated-at ${name} ${iso}`;
    if (kept !== undefined) {
      edits.push({
        from: parsed.origin[kept.start]!,
        to: parsed.origin[kept.end]!,
        insert: comment,
      });
    } else if (iso !== null) {
      const at = parsed.origin[definition.lineStart]!;
      edits.push({ from: at, to: at, insert: comment + lineBreak(parsed.text) });
    }
    this.#commit(applyEdits(parsed.text, edits), parsed.values, name);
  }

  /** The document as text: the input byte for byte, except the lines that were changed. */
  toString(): string {
    return this.#parsed.text;
  }

  #commit(text: string, expected: ReadonlyMap<string, string>, name: string): void {
    const next = parseText(text);
    if (!sameValues(next.values, expected)) {
      throw new CredentialsError(
        'unrepresentable-value',
        `Could not update ${name} without changing how dotenv reads the rest of the file ` +
          '(an unclosed quote nearby?). Nothing was written; fix the file by hand and try again.',
      );
    }
    this.#parsed = next;
  }
}

function parseText(text: string): ParsedText {
  const { normalized, origin } = normalize(text);
  const definitions: Definition[] = [];
  const values = new Map<string, string>();
  for (const match of normalized.matchAll(LINE)) {
    const name = match[1]!;
    const [nameStart, nameEnd] = match.indices![1]!;
    const group = match.indices![2];
    const raw = match[2] ?? '';
    const separatorEnd = nameEnd + separatorLength(normalized, nameEnd);
    let valueStart = group?.[0] ?? separatorEnd;
    let valueEnd = group?.[1] ?? valueStart;
    if (group !== undefined) {
      valueStart += raw.length - raw.trimStart().length;
      valueEnd -= raw.length - raw.trimEnd().length;
    }
    definitions.push({
      name,
      lineStart: normalized.lastIndexOf('\n', nameStart - 1) + 1,
      separatorEnd,
      valueStart,
      valueEnd,
    });
    values.set(name, decodeValue(raw));
  }
  return {
    text,
    normalized,
    origin,
    definitions,
    values,
    metadata: metadataLines(normalized, definitions),
  };
}

// The value rule of dotenv's default parser, step by step.
function decodeValue(raw: string): string {
  let value = raw.trim();
  const quote = value[0];
  value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
  if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
  return value;
}

function normalize(text: string): { normalized: string; origin: Uint32Array } {
  const origin = new Uint32Array(text.length + 1);
  let normalized = '';
  let from = 0;
  let length = 0;
  const breaks = /\r\n?/g;
  for (let match = breaks.exec(text); match !== null; match = breaks.exec(text)) {
    for (let i = from; i < match.index; i++) origin[length++] = i;
    origin[length++] = match.index;
    normalized += `${text.slice(from, match.index)}\n`;
    from = match.index + match[0].length;
  }
  for (let i = from; i <= text.length; i++) origin[length++] = i;
  normalized += text.slice(from);
  return { normalized, origin: origin.subarray(0, length) };
}

function separatorLength(normalized: string, nameEnd: number): number {
  return /^(?:\s*=|:\s)/.exec(normalized.slice(nameEnd))?.[0].length ?? 0;
}

// Comment lines outside any definition (a line inside a multi-line value is not a comment).
function metadataLines(normalized: string, definitions: readonly Definition[]): MetadataLine[] {
  const lines: MetadataLine[] = [];
  let index = 0;
  let start = 0;
  while (start <= normalized.length) {
    const newline = normalized.indexOf('\n', start);
    const end = newline === -1 ? normalized.length : newline;
    while (index < definitions.length && definitions[index]!.valueEnd <= start) index++;
    const inside = index < definitions.length && definitions[index]!.lineStart <= start;
    const match = inside ? null : METADATA.exec(normalized.slice(start, end));
    if (match !== null) lines.push({ name: match[1]!, start, end, iso: match[2] ?? '' });
    if (newline === -1) break;
    start = newline + 1;
  }
  return lines;
}

function encodings(value: string, eol: string): string[] {
  const single = `'${value.replace(/\n/g, eol)}'`;
  const backtick = `\`${value.replace(/\n/g, eol)}\``;
  const double = `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
  return /[\r\n]/.test(value) ? [double, single, backtick] : [value, single, double, backtick];
}

function replaceValue(parsed: ParsedText, definition: Definition, encoded: string): string {
  const { normalized, origin, text } = parsed;
  const { separatorEnd, valueStart, valueEnd } = definition;
  // A value that began on the next line (`A=` then `'x'` below) is rewritten right after the `=`.
  const start = normalized.slice(separatorEnd, valueStart).includes('\n')
    ? separatorEnd
    : valueStart;
  return text.slice(0, origin[start]) + encoded + text.slice(origin[valueEnd]);
}

function appendLine(parsed: ParsedText, line: string): string {
  const { text } = parsed;
  const eol = lineBreak(text);
  if (text.length === 0) return line + eol;
  if (/[\r\n]$/.test(text)) return text + line + eol;
  return text + eol + line;
}

/** A replacement of `text.slice(from, to)` by `insert`, in offsets of the original text. */
interface Edit {
  from: number;
  to: number;
  insert: string;
}

/** Removes whole lines: from the line starting at `start` through the line holding `end`. */
function removeLines(parsed: ParsedText, start: number, end: number): Edit {
  const { normalized, origin } = parsed;
  const newline = normalized.indexOf('\n', end);
  const to = newline === -1 ? normalized.length : newline + 1;
  return { from: origin[start]!, to: origin[to]!, insert: '' };
}

// Edits never overlap; applying them last first keeps the earlier offsets valid.
function applyEdits(text: string, edits: readonly Edit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.from - a.from || b.to - a.to)) {
    result = result.slice(0, edit.from) + edit.insert + result.slice(edit.to);
  }
  // Removing the last line must not leave a final newline the file did not have.
  if (text.length > 0 && !/[\r\n]$/.test(text)) result = result.replace(/(?:\r\n|\n|\r)$/, '');
  return result;
}

function rotationLines(parsed: ParsedText): Map<string, MetadataLine> {
  if (parsed.rotation === undefined) {
    parsed.rotation = new Map();
    for (const line of parsed.metadata) parsed.rotation.set(line.name, line);
  }
  return parsed.rotation;
}

function lastDefinition(parsed: ParsedText, name: string): Definition | undefined {
  return parsed.definitions.findLast((definition) => definition.name === name);
}

function lineBreak(text: string): string {
  return /\r\n|\n|\r/.exec(text)?.[0] ?? '\n';
}

// Assignment into a plain object, as dotenv does it (so `__proto__` behaves identically).
function toRecord(values: ReadonlyMap<string, string>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of values) record[name] = value;
  return record;
}

function sameValues(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, value] of a) if (b.get(name) !== value) return false;
  return true;
}

// dotenv (and the crypto module it requires) is only needed when writing: keep it off start-up.
let dotenvParse: typeof import('dotenv').parse | undefined;

function agreesWithFastParser(parsed: ParsedText): boolean {
  dotenvParse ??= (createRequire(import.meta.url)('dotenv') as typeof import('dotenv')).parse;
  const fast = dotenvParse(parsed.text, { fast: true });
  const ours = toRecord(parsed.values);
  const names = Object.keys(ours);
  return (
    names.length === Object.keys(fast).length && names.every((name) => fast[name] === ours[name])
  );
}

function assertName(name: string): void {
  if (!NAME.test(name) || name === '__proto__') {
    throw new CredentialsError(
      'unrepresentable-value',
      `${JSON.stringify(name)} is not a valid .env variable name: use letters, digits, _ . and - only, ` +
        'e.g. BYBIT_API_KEY.',
    );
  }
}

function isIsoTimestamp(text: string): boolean {
  return ISO_8601.test(text) && !Number.isNaN(Date.parse(text));
}
