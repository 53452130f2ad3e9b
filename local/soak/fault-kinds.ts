// Every fault the soak can throw at a run, one table entry per kind. A kind plans its parameters from the
// run's random source and fires at its trigger: before the run starts, before the first invocation of a
// Task state, or while the lease is held. A new simulator fault (e.g. idle session expiry) is one entry here;
// an entry with `simulatorOptions` only is applied when the simulator starts.
import type {
  DhcpMode,
  FaultRule,
  GuestProfileName,
  RunningSimulator,
  SimulatorOptions,
} from '../simulator/index.js';
import type { Random } from './random.js';

export type Trigger =
  | { at: 'start' }
  /** before the first invocation of this Task state (any Map iteration) */
  | { at: 'state'; state: string }
  /** right after the Ready event, while the lease is held */
  | { at: 'hold' };

/** One planned fault of a scenario: JSON, so it can be printed and replayed from its seed. */
export interface PlannedFault {
  kind: string;
  trigger: Trigger;
  rule?: FaultRule;
  dhcp?: DhcpMode;
  simulatorOptions?: SimulatorOptions;
}

export interface FaultKind {
  name: string;
  /** where it can fire: 'start' (before the run), 'runtime' (a Task state or the lease hold) */
  when: readonly ('start' | 'runtime')[];
  plan(random: Random): Omit<PlannedFault, 'kind' | 'trigger'>;
  /** applied at the trigger; kinds that only set simulator options have none */
  fire?(sim: RunningSimulator, fault: PlannedFault): void;
}

/**
 * vim25 faults per method the workflow calls, as vCenter raises them there (the simulator injects any type
 * name: SOAP faults for plain methods, `info.error` for `*_Task` methods). Transient ones (HostCommunication,
 * RequestCanceled, TaskInProgress, GuestOperationsUnavailable) should be retried; the others end the clone or
 * the run with a documented error. `*` hits any method.
 */
export const INJECTABLE: Record<string, readonly string[]> = {
  Login: ['InvalidLogin', 'HostCommunication'],
  RetrievePropertiesEx: ['HostCommunication', 'RequestCanceled', 'NotAuthenticated', 'SystemError'],
  // A failed wait leaves the task it watched running on in vCenter (the client must not take it for the task's end).
  WaitForUpdatesEx: ['HostCommunication', 'RequestCanceled', 'NotAuthenticated', 'SystemError'],
  CreateFilter: ['HostCommunication', 'SystemError'],
  FindByInventoryPath: ['HostCommunication', 'RequestCanceled'],
  StartProgramInGuest: [
    'GuestOperationsUnavailable',
    'TooManyGuestLogons',
    'InvalidGuestLogin',
    'GuestComponentsOutOfDate',
    'InvalidState',
  ],
  ListProcessesInGuest: ['GuestOperationsUnavailable', 'GuestProcessNotFound'],
  InitiateFileTransferFromGuest: ['GuestOperationsUnavailable', 'FileNotFound'],
  InitiateFileTransferToGuest: ['GuestOperationsUnavailable'],
  InstantClone_Task: [
    'InsufficientResourcesFault',
    'DuplicateName',
    'HostCommunication',
    'TaskInProgress',
    'SystemError',
  ],
  ReconfigVM_Task: ['TaskInProgress', 'HostCommunication', 'InvalidDeviceSpec'],
  PowerOffVM_Task: ['InvalidPowerState', 'TaskInProgress', 'HostCommunication'],
  Destroy_Task: ['NoPermission', 'TaskInProgress', 'HostCommunication', 'InvalidPowerState'],
  '*': ['HostCommunication'],
};

/** Methods a teardown (TeardownClone, DiscardFailedClone) calls: a fault there may leak a clone. */
export const TEARDOWN_METHODS: ReadonlySet<string> = new Set([
  'Login',
  'RetrievePropertiesEx',
  'WaitForUpdatesEx',
  'CreateFilter',
  'FindByInventoryPath',
  'PowerOffVM_Task',
  'Destroy_Task',
  '*',
]);

/** Hit counts go one past the largest retry budget in the ASL (5 attempts), so some faults outlast it. */
const MAX_COUNT = 6;

function injectKind(method: string, faults: readonly string[]): FaultKind {
  return {
    name: `inject:${method}`,
    when: ['start', 'runtime'],
    plan: (random) => {
      const fault = random.pick(faults);
      // A fault on every method at once is kept rare, or nothing would ever get through.
      const byProbability = method === '*' || random.chance(0.3);
      const rule: FaultRule = byProbability
        ? { method, fault, probability: method === '*' ? random.int(2, 10) / 100 : random.int(5, 50) / 100 }
        : { method, fault, count: random.int(1, MAX_COUNT) };
      return { rule };
    },
    fire: (sim, fault) => {
      if (fault.rule) sim.injectFault(fault.rule);
    },
  };
}

const LINUX_PROFILES: readonly GuestProfileName[] = [
  'ubuntu-networkd',
  'rhel-networkmanager',
  'debian-ifupdown',
  'ubuntu-docker-ci',
];

export const FAULT_KINDS: readonly FaultKind[] = [
  ...Object.entries(INJECTABLE).map(([method, faults]) => injectKind(method, faults)),
  {
    // vCenter drops every session (restart, admin logout, expiry): the client must log in again.
    name: 'expireSessions',
    when: ['runtime'],
    plan: () => ({}),
    fire: (sim) => sim.expireSessions(),
  },
  {
    name: 'dhcpDown',
    when: ['start', 'runtime'],
    plan: () => ({ dhcp: 'down' }),
    fire: (sim) => sim.setDhcp('down'),
  },
  {
    // No DHCP answer: the guest self-assigns 169.254.x.y, which must never be handed out.
    name: 'dhcpLinkLocal',
    when: ['start', 'runtime'],
    plan: () => ({ dhcp: 'linkLocal' }),
    fire: (sim) => sim.setDhcp('linkLocal'),
  },
  {
    // vCenter drops a session idle longer than its timeout (default 30 min): a client that keeps its session
    // between calls (a warm Lambda) must notice and log in again. Timeouts from 5 to 120 s, simulated.
    name: 'sessionIdleTimeout',
    when: ['start'],
    plan: (random) => ({ simulatorOptions: { sessionIdleTimeoutMs: random.int(5, 120) * 1000 } }),
  },
  {
    // The Linux source's guest OS (network manager, DHCP tools, Docker bridges): clones inherit it.
    name: 'guestProfile',
    when: ['start'],
    plan: (random) => ({
      simulatorOptions: { guestProfiles: { linux: random.pick(LINUX_PROFILES) } },
    }),
  },
  {
    // VMware Tools in a fresh clone answers late: guest operations are unavailable for a window.
    name: 'guestOpsUnavailableWindow',
    when: ['start'],
    plan: (random) => ({ simulatorOptions: { guestOpsUnavailableMs: random.int(5, 90) * 1000 } }),
  },
];

export const FAULT_KIND_BY_NAME: ReadonlyMap<string, FaultKind> = new Map(
  FAULT_KINDS.map((k) => [k.name, k]),
);
