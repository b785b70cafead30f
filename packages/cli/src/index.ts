/**
 * `@exkeys/cli`: the `exkeys` command line. The binary is `exkeys`; this entry exposes the program,
 * the secret-argument guard and the scanner's leak rules for tools that embed them.
 * @module
 */
export { CommandFailed, EXIT, UsageError } from './exit-codes.js';
export {
  LEAK_RULES,
  type LeakRule,
  LINES_ABOVE,
  NEAR_LINES,
  PRIVATE_KEY_RULE,
} from './leak-rules.js';
export type { StoreOptions } from './options.js';
export { commanderErrorOutput, createProgram, type ProgramError } from './program.js';
export { findSecretArgument, redactEchoedArguments } from './secret-arguments.js';
