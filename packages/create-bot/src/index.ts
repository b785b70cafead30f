/**
 * `@exkeys/create-bot`: scaffolds the exkeys starter bot. Run it as `npm create @exkeys/bot@latest
 * my-bot`; import {@link scaffold} to do the same from code.
 * @module
 */
export {
  EXCHANGE_IDS,
  type ExchangeChoice,
  STORE_CHOICES,
  type StoreChoice,
} from './choices.js';
export { type ProjectSettings, projectFiles } from './project-files.js';
export {
  ownVersion,
  packageName,
  ScaffoldError,
  type ScaffoldOptions,
  type ScaffoldResult,
  scaffold,
  templateSources,
} from './scaffold.js';
