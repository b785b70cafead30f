/**
 * Opening an age keystore for `--keystore`.
 * @module
 */
import type { SelectedStore } from './store-selection.js';

/** Opens the age keystore at `path` (absolute); `shown` is the path as the user typed it. */
export async function openKeystore(path: string, shown: string): Promise<SelectedStore> {
  throw new Error(`age keystores are not available yet (${shown}, ${path})`);
}
