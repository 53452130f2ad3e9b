/** Public API of the vSphere (vim25 SOAP) client; see docs/adr/0001-module-contracts.md. */
export { VsphereClient } from './client.js';
export { clock } from './clock.js';
export { asArray } from './decode.js';
export { VsphereFault, VsphereTimeoutError, VsphereTransportError } from './errors.js';
export { downloadGuestFile, resolveTransferUrl, uploadGuestFile } from './file-transfer.js';
export {
  initiateFileTransferFromGuest,
  initiateFileTransferToGuest,
  listProcessesInGuest,
  startProgramInGuest,
} from './guest.js';
export {
  continueRetrievePropertiesEx,
  createFilter,
  destroyPropertyFilter,
  retrievePropertiesEx,
  waitForUpdatesEx,
} from './property-collector.js';
export { PropertyWatch, type WatchTarget } from './property-watch.js';
export { retrieveAll, retrieveProperties, toPropertyMap } from './retrieve.js';
export { login, logout, retrieveServiceContent } from './session.js';
export type * from './types.js';
export { createContainerView, destroyView, findByInventoryPath } from './views.js';
export { cloneVmTask, destroyTask, instantCloneTask, powerOffVmTask, reconfigVmTask } from './vm.js';
export {
  pollTask,
  TASK_PATHS,
  taskEnded,
  taskOutcome,
  type WaitForOptions,
  waitForAll,
  waitForProperty,
  waitForTask,
  waitForValues,
} from './wait.js';
