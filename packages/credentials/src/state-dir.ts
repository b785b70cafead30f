/**
 * Where exkeys keeps its own state (accepted recipient lists, rotation journals).
 * @module
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * `$XDG_STATE_HOME/exkeys`, else `~/.local/state/exkeys`. A relative `XDG_STATE_HOME` is ignored,
 * as the XDG Base Directory specification asks.
 */
export function exkeysStateDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const state = env.XDG_STATE_HOME?.trim();
  const base = state && isAbsolute(state) ? state : join(homedir(), '.local', 'state');
  return join(base, 'exkeys');
}
