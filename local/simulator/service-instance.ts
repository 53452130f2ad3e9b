// ServiceInstance: RetrieveServiceContent (readable without a session), CurrentTime.
import { IDS } from './inventory.js';
import type { Sim } from './sim.js';
import { date, MoRef, obj } from './values.js';

export function serviceContent(sim: Sim) {
  const m = (type: string, value: string) => new MoRef(type, value);
  return obj('ServiceContent', {
    rootFolder: m('Folder', IDS.ROOT),
    propertyCollector: m('PropertyCollector', 'propertyCollector'),
    viewManager: m('ViewManager', 'ViewManager'),
    about: sim.about,
    setting: m('OptionManager', 'VpxSettings'),
    userDirectory: m('UserDirectory', 'UserDirectory'),
    sessionManager: m('SessionManager', 'SessionManager'),
    authorizationManager: m('AuthorizationManager', 'AuthorizationManager'),
    serviceManager: m('ServiceManager', 'ServiceMgr'),
    perfManager: m('PerformanceManager', 'PerfMgr'),
    eventManager: m('EventManager', 'EventManager'),
    taskManager: m('TaskManager', 'TaskManager'),
    searchIndex: m('SearchIndex', 'SearchIndex'),
    fileManager: m('FileManager', 'FileManager'),
    virtualDiskManager: m('VirtualDiskManager', 'virtualDiskManager'),
    vmProvisioningChecker: m('VirtualMachineProvisioningChecker', 'VmProvisioningChecker'),
    guestOperationsManager: m('GuestOperationsManager', 'guestOperationsManager'),
  });
}

export function registerServiceInstance(sim: Sim): void {
  sim.register({
    RetrieveServiceContent: (s) => serviceContent(s),
    CurrentTime: () => date(Date.now()),
  });
  sim.providers.push((ref, s) => {
    if (ref.type === 'ServiceInstance' && ref.value === 'ServiceInstance')
      return obj('ServiceInstance', { serverClock: date(Date.now()), content: serviceContent(s) });
    if (ref.type === 'GuestOperationsManager' && ref.value === 'guestOperationsManager')
      return obj('GuestOperationsManager', {
        authManager: new MoRef('GuestAuthManager', 'guestOperationsAuthManager'),
        fileManager: new MoRef('GuestFileManager', 'guestOperationsFileManager'),
        processManager: new MoRef('GuestProcessManager', 'guestOperationsProcessManager'),
      });
    return undefined;
  });
}
