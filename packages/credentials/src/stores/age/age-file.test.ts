import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateIdentity } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForChild, type ChildBuild } from '../../__fixtures__/child-build.js';
import { ageStore } from './age-store.js';

// age-encryption collects a decrypted stream with `new Response(stream)`, which makes Node load its
// bundled undici: a cost on every keystore load that a bot pays at start-up. Node records every
// internal module it loads in `process.moduleLoadList`, so a fresh process shows whether it happened.
const PROBE = `
const [modulePath, path, identity, extra] = process.argv.slice(1);
const { ageStore } = await import(modulePath);
const values = await ageStore({ path, identity }).readAll();
if (extra === 'response') await new Response('x').text();
const undici = process.moduleLoadList.some((name) => /undici/.test(name));
process.stdout.write(JSON.stringify({ names: [...values.keys()], undici }));
`;

let dir: string;
let build: ChildBuild;
let identity: string;
let path: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exkeys-age-file-'));
  identity = await generateIdentity();
  path = join(dir, '.env.age');
  await ageStore({ path, identity }).write({ BYBIT_API_KEY: 'AbCdEf0123456789Gh', OTHER: 'x' });
  build = await buildForChild(['index.ts']);
});

afterAll(async () => {
  await build?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function probe(extra = ''): Promise<{ names: string[]; undici: boolean }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', PROBE, build.module('index.ts'), path, identity, extra],
    { env: { PATH: process.env.PATH, HOME: dir } },
  );
  return JSON.parse(stdout) as { names: string[]; undici: boolean };
}

describe('decrypting a keystore', () => {
  it('does not load undici (no `new Response` on the load path)', async () => {
    expect(await probe()).toEqual({ names: ['BYBIT_API_KEY', 'OTHER'], undici: false });
  });

  it('control: the probe does see undici once something uses Response', async () => {
    expect(await probe('response')).toEqual({ names: ['BYBIT_API_KEY', 'OTHER'], undici: true });
  });
});
