// Finds the TypeScript examples of the READMEs and what each one declares about itself, for
// readme-examples.test.ts. A ```ts (or ```typescript) fence must follow, on the line before it, either
//   <!-- runnable -->                          run as is, or
//   <!-- runnable: given=apiKey,apiSecret shell=OKX_API_SECRET_FILE -->
//                                              run with the values the reader supplies (`given`) and
//                                              the shell variables it assumes (`shell`), or
//   <!-- not runnable: <why> -->               not run, with the reason shown to the reader.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the comment before a fence says about the example. */
export type Marker =
  | { kind: 'runnable'; given: string[]; shell: string[] }
  | { kind: 'not-runnable'; reason: string }
  | { kind: 'missing' }
  | { kind: 'invalid'; problem: string };

/** One TypeScript example of a README. */
export interface Example {
  /** `packages/credentials/README.md:29`: the line of the opening fence. */
  where: string;
  code: string;
  marker: Marker;
}

const FENCE = /^```(ts|typescript)\s*$/;
const NAME = /^[A-Za-z_$][\w$]*$/;

/** Parses the comment on the line before a fence. */
export function parseMarker(line: string | undefined): Marker {
  const comment = line?.trim().match(/^<!--\s*(.*?)\s*-->$/)?.[1];
  if (comment === undefined) return { kind: 'missing' };
  const notRunnable = comment.match(/^not runnable:\s*(.*)$/);
  if (notRunnable) {
    const reason = notRunnable[1] ?? '';
    return reason.length >= 10
      ? { kind: 'not-runnable', reason }
      : { kind: 'invalid', problem: 'a "not runnable:" comment must say why in a few words' };
  }
  const runnable = comment.match(/^runnable(?::\s*(.*))?$/);
  if (!runnable) return { kind: 'missing' };
  const marker = { kind: 'runnable' as const, given: [] as string[], shell: [] as string[] };
  for (const option of (runnable[1] ?? '').split(/\s+/).filter(Boolean)) {
    const [key, value = ''] = option.split('=');
    const names = value.split(',').filter(Boolean);
    if (
      (key !== 'given' && key !== 'shell') ||
      names.length === 0 ||
      !names.every((n) => NAME.test(n))
    ) {
      return {
        kind: 'invalid',
        problem: `unknown runnable option "${option}" (use given=a,b or shell=VAR)`,
      };
    }
    marker[key].push(...names);
  }
  return marker;
}

/** Every ```ts/```typescript block of a README, with its marker. */
export function extractExamples(text: string, file: string): Example[] {
  const lines = text.split('\n');
  const examples: Example[] = [];
  let open: { start: number; marker: Marker } | undefined;
  let inOtherFence = false;
  for (const [index, line] of lines.entries()) {
    if (open) {
      if (line.trim() === '```') {
        examples.push({
          where: `${file}:${open.start + 1}`,
          code: lines.slice(open.start + 1, index).join('\n'),
          marker: open.marker,
        });
        open = undefined;
      }
    } else if (inOtherFence) {
      if (line.trim() === '```') inOtherFence = false;
    } else if (FENCE.test(line)) {
      open = { start: index, marker: parseMarker(lines[index - 1]) };
    } else if (/^```/.test(line)) {
      inOtherFence = true;
    }
  }
  if (open)
    examples.push({
      where: `${file}:${open.start + 1}`,
      code: '',
      marker: { kind: 'invalid', problem: 'unclosed fence' },
    });
  return examples;
}

/** The READMEs whose examples are checked, relative to the repository root. */
export function readmeFiles(root: string): string[] {
  const packages = readdirSync(join(root, 'packages'))
    .filter((name) => existsSync(join(root, 'packages', name, 'README.md')))
    .sort();
  return [
    'README.md',
    ...packages.map((name) => `packages/${name}/README.md`),
    'apps/example-bot/README.md',
  ];
}

/** Reads and extracts the examples of `files` under `root`. */
export function examplesOf(root: string, files: readonly string[]): Example[] {
  return files.flatMap((file) => extractExamples(readFileSync(join(root, file), 'utf8'), file));
}
