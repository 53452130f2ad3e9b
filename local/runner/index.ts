export { handlerPath, kebab, localSubstitutions, placeholders, substitute, taskStates } from './asl.js';
export { buildLocalSetup, simulatorSources } from './config.js';
export { loadLocalDefinition, runLocalWorkflow } from './run.js';
export type * from './types.js';
