// Repository-wide promises that no single package owns: what every published manifest carries, that
// Turborepo's telemetry stays off, and that built source maps embed their sources.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const json = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));
const published = readdirSync(join(root, 'packages')).filter(
  (name) => !json(`packages/${name}/package.json`).private,
);

describe('published packages', () => {
  it.each(published)('%s has an MIT LICENSE and the npm metadata fields', (name) => {
    const manifest = json(`packages/${name}/package.json`);
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(root, 'packages', name, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'author']) {
      expect([field, Boolean(manifest[field])]).toEqual([field, true]);
    }
    expect(manifest.repository.directory).toBe(`packages/${name}`);
    expect(manifest.name).toBe(`@exkeys/${name}`);
  });

  it('built source maps embed their sources, and no declaration map is emitted', (ctx) => {
    const maps: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.map')) maps.push(path);
      }
    };
    for (const name of published) {
      const dist = join(root, 'packages', name, 'dist');
      if (existsSync(dist)) walk(dist);
    }
    if (maps.length === 0) {
      console.info('skipped: no dist/ is built; `pnpm test` builds first');
      ctx.skip();
    }
    for (const map of maps) {
      expect(map.endsWith('.d.ts.map'), map).toBe(false);
      const { sources, sourcesContent } = JSON.parse(readFileSync(map, 'utf8'));
      expect(sourcesContent?.length, map).toBe(sources.length);
    }
  });
});

describe('Turborepo telemetry', () => {
  it('is off in every script that runs turbo (CI runs these scripts)', () => {
    const scripts: Record<string, string> = json('package.json').scripts;
    const turbo = Object.entries(scripts).filter(([, command]) => /\bturbo\b/.test(command));
    expect(turbo.length).toBeGreaterThan(0);
    for (const [name, command] of turbo) {
      expect([name, command.startsWith('TURBO_TELEMETRY_DISABLED=1 ')]).toEqual([name, true]);
    }
  });
});
