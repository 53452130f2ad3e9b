import type { VsphereClient } from './client.js';
import { asArray } from './decode.js';
import { retrievePropertiesEx } from './property-collector.js';
import { guestAuth, typed } from './soap-values.js';
import type {
  FileTransferInformation,
  GuestAuth,
  GuestFileAttributes,
  GuestProcessInfo,
  GuestProgramSpec,
  MoRef,
} from './types.js';

interface GuestManagers {
  processManager: MoRef;
  fileManager: MoRef;
}

/** GuestOperationsManager's process and file managers, read once per client. */
function managers(c: VsphereClient): Promise<GuestManagers> {
  return c.memo('guestManagers', async () => {
    const gom = c.serviceContent.guestOperationsManager;
    if (!gom) throw new Error('ServiceContent has no guestOperationsManager');
    const r = await retrievePropertiesEx(c, [
      {
        propSet: [{ type: gom.type, pathSet: ['processManager', 'fileManager'] }],
        objectSet: [{ obj: gom }],
      },
    ]);
    const props = Object.fromEntries((r?.objects[0]?.propSet ?? []).map((p) => [p.name, p.val as MoRef]));
    if (!props.processManager || !props.fileManager) throw new Error('guest operation managers not found');
    return { processManager: props.processManager, fileManager: props.fileManager };
  });
}

function programSpec(s: GuestProgramSpec): object {
  const fields = {
    programPath: s.programPath,
    arguments: s.arguments,
    workingDirectory: s.workingDirectory,
    envVariables: s.envVariables,
  };
  if (s._type !== 'GuestWindowsProgramSpec') return fields;
  return typed('GuestWindowsProgramSpec', { ...fields, startMinimized: s.startMinimized ?? false });
}

/** Posix or Windows attributes in WSDL order (base GuestFileAttributes fields first). */
function fileAttrs(a: GuestFileAttributes): object {
  const base = {
    modificationTime: a.modificationTime,
    accessTime: a.accessTime,
    symlinkTarget: a.symlinkTarget,
  };
  if (a._type === 'GuestPosixFileAttributes') {
    return typed(a._type, { ...base, ownerId: a.ownerId, groupId: a.groupId, permissions: a.permissions });
  }
  return typed(a._type, { ...base, hidden: a.hidden, readOnly: a.readOnly, createTime: a.createTime });
}

/** GuestProcessManager.StartProgramInGuest; returns the pid. */
export async function startProgramInGuest(
  c: VsphereClient,
  vm: MoRef,
  auth: GuestAuth,
  spec: GuestProgramSpec,
): Promise<number> {
  const { processManager } = await managers(c);
  const pid = await c.invoke('StartProgramInGuest', {
    _this: processManager,
    vm,
    auth: guestAuth(auth),
    spec: programSpec(spec),
  });
  return Number(pid);
}

/** GuestProcessManager.ListProcessesInGuest (all processes when `pids` is omitted). */
export async function listProcessesInGuest(
  c: VsphereClient,
  vm: MoRef,
  auth: GuestAuth,
  pids?: number[],
): Promise<GuestProcessInfo[]> {
  const { processManager } = await managers(c);
  const r = await c.invoke<GuestProcessInfo | GuestProcessInfo[] | undefined>('ListProcessesInGuest', {
    _this: processManager,
    vm,
    auth: guestAuth(auth),
    pids,
  });
  return asArray(r);
}

/** GuestFileManager.InitiateFileTransferFromGuest; fetch `url` with `downloadGuestFile`. */
export async function initiateFileTransferFromGuest(
  c: VsphereClient,
  vm: MoRef,
  auth: GuestAuth,
  guestFilePath: string,
): Promise<FileTransferInformation> {
  const { fileManager } = await managers(c);
  const r = await c.invoke<FileTransferInformation>('InitiateFileTransferFromGuest', {
    _this: fileManager,
    vm,
    auth: guestAuth(auth),
    guestFilePath,
  });
  return { attributes: r.attributes ?? {}, size: Number(r.size), url: r.url };
}

/** GuestFileManager.InitiateFileTransferToGuest; returns the URL to PUT with `uploadGuestFile`. */
export async function initiateFileTransferToGuest(
  c: VsphereClient,
  vm: MoRef,
  auth: GuestAuth,
  guestFilePath: string,
  fileAttributes: GuestFileAttributes,
  fileSize: number,
  overwrite: boolean,
): Promise<string> {
  const { fileManager } = await managers(c);
  return c.invoke<string>('InitiateFileTransferToGuest', {
    _this: fileManager,
    vm,
    auth: guestAuth(auth),
    guestFilePath,
    fileAttributes: fileAttrs(fileAttributes),
    fileSize,
    overwrite,
  });
}
