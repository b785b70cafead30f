/**
 * Terminal output: colours only on a TTY (and never with `NO_COLOR`), a spinner only on a TTY, plain
 * progress lines otherwise, and aligned tables.
 * @module
 */
import pc from 'picocolors';

/** True when colour should be used on `stream`: `FORCE_COLOR` wins, then `NO_COLOR`, then TTY. */
export function colorEnabled(
  stream: NodeJS.WriteStream,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Colours for stdout. Unlike picocolors' default, a `CI` variable alone does not turn them on. */
export const out: ReturnType<typeof pc.createColors> = pc.createColors(
  colorEnabled(process.stdout),
);

/** Colours for stderr. */
export const err: ReturnType<typeof pc.createColors> = pc.createColors(
  colorEnabled(process.stderr),
);

/** Writes a line to stdout. */
export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Writes a line to stderr. */
export function printError(line = ''): void {
  process.stderr.write(`${line}\n`);
}

/** Prints `value` as indented JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Strips ANSI colour codes, to measure what the user sees. */
function visibleLength(text: string): number {
  return text.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** Formats rows as a table with a header and columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1
          ? cell
          : cell + ' '.repeat((widths[column] ?? 0) - visibleLength(cell)),
      )
      .join('  ')
      .trimEnd();
  return [out.bold(line(header)), ...rows.map(line)].join('\n');
}

/** A progress indicator for network work. */
export interface Progress {
  /** Changes the text shown. */
  update(text: string): void;
  /** Removes the indicator. */
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Starts a spinner on stderr when it is a TTY; otherwise prints `text` once as a plain line (and each
 * update as another line), so logs stay readable.
 */
export function startProgress(text: string): Progress {
  const stream = process.stderr;
  if (!stream.isTTY) {
    stream.write(`${text}\n`);
    return { update: (next) => stream.write(`${next}\n`), stop: () => {} };
  }
  let current = text;
  let frame = 0;
  const draw = () => {
    stream.write(`\r\x1b[2K${err.cyan(FRAMES[frame % FRAMES.length] ?? '')} ${current}`);
    frame += 1;
  };
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  return {
    update(next) {
      current = next;
      draw();
    },
    stop() {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
