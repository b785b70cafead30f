import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as credentials from './index.js';

const SRC = dirname(fileURLToPath(import.meta.url));

// Value imports evaluated when the module loads: `import type` and `import(...)` are excluded.
const STATIC_IMPORT = /^import\s+(?!type\s)(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const STATIC_EXPORT = /^export\s+(?!type\s)[^;'"]*?\sfrom\s+['"]([^'"]+)['"]/gm;

/** Every module the package entry loads before any function runs, found from the sources. */
function staticGraph(entry: string): { files: Set<string>; external: Map<string, string> } {
  const files = new Set<string>();
  const external = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const match of [...text.matchAll(STATIC_IMPORT), ...text.matchAll(STATIC_EXPORT)]) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier).replace(/\.js$/, '.ts'));
      else if (!external.has(specifier)) external.set(specifier, file);
    }
  };
  visit(entry);
  return { files, external };
}

describe('the package entry', () => {
  it('loads no heavy module at import: age-encryption, the keyring binding, dotenv, zod and node:crypto load on first use', () => {
    const { files, external } = staticGraph('index.ts');
    // The regexes did find the graph (a broken pattern would make the next check pass vacuously).
    expect(files).toContain('stores/age/age-store.ts');
    expect(files).toContain('stores/dotenv/dotenv-document.ts');
    expect(external.get('node:fs/promises')).toBeDefined();
    const heavy = [...external].filter(([specifier]) =>
      /^(?:age-encryption|@napi-rs\/keyring|dotenv|zod|node:crypto|crypto|node:timers\/promises)$/.test(
        specifier,
      ),
    );
    expect(heavy.map(([specifier, file]) => `${specifier} (${file})`)).toEqual([]);
  });

  it('exports the whole API by name', () => {
    const names = Object.keys(credentials).sort();
    expect(names).toEqual(
      [
        'ADMIN_PROFILE',
        'AGE_KEY_SOURCES',
        'AGE_KEY_VARIABLES',
        'CredentialsError',
        'DEFAULT_IDENTITY_FILE_SHOWN',
        'DEFAULT_PROFILE',
        'EXCHANGES',
        'OTHER_PASSPHRASE_EXCHANGES',
        'describeInput',
        'describePemKeyTypes',
        'describeShape',
        'exchangeFacts',
        'matchesShape',
        'shapeSource',
        'ExkeysError',
        'KeyRotationError',
        'KeyVerificationError',
        'KeystoreError',
        'MAX_STORE_FILE_BYTES',
        'REDACTED',
        'SECRET_FILE_SUFFIX',
        'TEMPORARY_FILE_SUFFIX',
        'UNCHECKED_FACTS',
        'UnsafeKeyError',
        'ageStore',
        'assertCredentialsFor',
        'assertSafeKey',
        'changeKeystorePassphrase',
        'defaultIdentityFile',
        'dotenvStore',
        'getApiKey',
        'getApiPassphrase',
        'getApiSecret',
        'getCredentials',
        'isAdminProfile',
        'isPermissionAllowed',
        'isValidatedCredentials',
        'keychainStore',
        'listTemporaryFiles',
        'listConfiguredExchanges',
        'looksLikeCredential',
        'loadApiKeys',
        'maskKey',
        'migrateEnvToKeystore',
        'migrateKeystoreToEnv',
        'needsPassphrase',
        'normalizeExchange',
        'normalizeProfile',
        'parseCredentialReference',
        'parseVariableName',
        'readIdentityFile',
        'readStoreSnapshot',
        'recipientStateFile',
        'recipientsFile',
        'redactText',
        'resolveAgeKey',
        'saveApiKeys',
        'secretFilesStore',
        'updateApiKey',
        'validateCredentials',
        'variableNames',
        'watchCredentials',
      ].sort(),
    );
    expect(names).not.toContain('sealCredentials');
  });
});
