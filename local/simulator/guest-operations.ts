// GuestOperationsManager: process manager and file manager, plus the one-shot /guestFile transfer URLs.
import { randomBytes } from 'node:crypto';
import { invalidState, SimFault } from './faults.js';
import { CREDENTIALS, type Sim } from './sim.js';
import { Arr, date, int, long, obj, str } from './values.js';
import type { VmState } from './vm.js';
import { child, kids, textOf, type XNode } from './xml.js';

export interface Transfer {
  vm: VmState;
  path: string;
  direction: 'from' | 'to';
  token: string;
}

const transfers = new WeakMap<Sim, Map<string, Transfer>>();
export function transfersOf(sim: Sim): Map<string, Transfer> {
  let m = transfers.get(sim);
  if (!m) {
    m = new Map();
    transfers.set(sim, m);
  }
  return m;
}

function guestVm(sim: Sim, call: XNode): VmState {
  const vm = sim.vmOf(call, 'vm');
  if (vm.powerState !== 'poweredOn')
    throw invalidState('The operation is not allowed in the current state (virtual machine is powered off).');
  if (vm.frozen || Date.now() < vm.guestOpsReadyAt)
    throw new SimFault('GuestOperationsUnavailable', 'The guest operations agent could not be contacted.');
  const auth = child(call, 'auth');
  const want = CREDENTIALS[vm.os];
  if (textOf(auth, 'username') !== want.username || (child(auth, 'password')?.text ?? '') !== want.password)
    throw new SimFault(
      'InvalidGuestLogin',
      'Failed to authenticate with the guest operating system using the supplied credentials.',
    );
  return vm;
}

function processInfo(p: ReturnType<Sim['guests']['start']>, now: number) {
  const done = now >= p.endTime;
  return obj('GuestProcessInfo', {
    name: str(p.name),
    pid: long(p.pid),
    owner: str(p.owner),
    cmdLine: str(p.cmdLine),
    startTime: date(p.startTime),
    endTime: done ? date(p.endTime) : undefined,
    exitCode: done ? int(p.exitCode) : undefined,
  });
}

function transferUrl(sim: Sim, port: number, t: Omit<Transfer, 'token'>): string {
  const id = randomBytes(8).toString('hex');
  const token = randomBytes(16).toString('hex');
  transfersOf(sim).set(id, { ...t, token });
  // ESXi answers with host '*': the client substitutes the host it reached vCenter/ESXi on.
  return `https://*:${port}/guestFile?id=${id}&token=${token}`;
}

export function registerGuestOperations(sim: Sim): void {
  sim.register({
    StartProgramInGuest: (s, call) => {
      const vm = guestVm(s, call);
      const spec = child(call, 'spec');
      const path = textOf(spec, 'programPath') ?? '';
      if (!path)
        throw new SimFault('InvalidArgument', 'A specified parameter was not correct: spec.programPath', [
          ['invalidProperty', str('spec.programPath')],
        ]);
      const p = s.guests.start(
        vm,
        textOf(child(call, 'auth'), 'username') ?? '',
        path,
        child(spec, 'arguments')?.text ?? '',
      );
      s.operations.programStarted(p);
      return long(p.pid);
    },
    ListProcessesInGuest: (s, call) => {
      const vm = guestVm(s, call);
      const pids = kids(call, 'pids').map((p) => Number(p.text));
      const all = [...s.guests.of(vm).procs.values()].filter((p) => !pids.length || pids.includes(p.pid));
      const now = Date.now();
      return new Arr(
        'GuestProcessInfo',
        all.map((p) => processInfo(p, now)),
      );
    },
    TerminateProcessInGuest: (s, call) => {
      const vm = guestVm(s, call);
      const pid = Number(textOf(call, 'pid'));
      const p = s.guests.of(vm).procs.get(pid);
      if (!p)
        throw new SimFault('GuestProcessNotFound', `The process ${pid} was not found.`, [['pid', long(pid)]]);
      if (Date.now() < p.endTime) Object.assign(p, { endTime: Date.now(), exitCode: 143 });
      return undefined;
    },
    InitiateFileTransferFromGuest: (s, call, ctx) => {
      const vm = guestVm(s, call);
      const path = textOf(call, 'guestFilePath') ?? '';
      const content = s.guests.readFile(vm, path);
      if (content === undefined)
        throw new SimFault('FileNotFound', `File ${path} was not found`, [['file', str(path)]]);
      return obj('FileTransferInformation', {
        attributes:
          vm.os === 'windows'
            ? obj('GuestWindowsFileAttributes', { modificationTime: date(Date.now()) })
            : obj('GuestPosixFileAttributes', {
                modificationTime: date(Date.now()),
                ownerId: int(0),
                groupId: int(0),
                permissions: long(420),
              }),
        size: long(Buffer.byteLength(content)),
        url: str(transferUrl(s, ctx.port, { vm, path, direction: 'from' })),
      });
    },
    InitiateFileTransferToGuest: (s, call, ctx) => {
      const vm = guestVm(s, call);
      const path = textOf(call, 'guestFilePath') ?? '';
      if (textOf(call, 'overwrite') !== 'true' && s.guests.readFile(vm, path) !== undefined)
        throw new SimFault('FileAlreadyExists', `File ${path} already exists`, [['file', str(path)]]);
      return str(transferUrl(s, ctx.port, { vm, path, direction: 'to' }));
    },
  });
}
