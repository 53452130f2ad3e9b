/** vim25 data shapes the client sends and reads. Field order in these interfaces follows the WSDL. */

/** Managed object reference, e.g. `{ type: 'VirtualMachine', value: 'vm-42' }`. */
export type MoRef = { type: string; value: string };

/** Minimal logger; Powertools' Logger and `console` both fit. */
export interface Logger {
  debug(...a: unknown[]): void;
  info(...a: unknown[]): void;
  warn(...a: unknown[]): void;
  error(...a: unknown[]): void;
}

export interface ConnectOptions {
  /** e.g. `https://vc.example.com/sdk` */
  url: string;
  username: string;
  password: string;
  /** Skip TLS verification; logs a warning. */
  insecure?: boolean;
  /** Extra trusted CA bundle (PEM text), added to Node's default roots. */
  caPem?: string;
  /** Trust exactly the vCenter certificate with this SHA-1/SHA-256 fingerprint (hex, colons optional). */
  thumbprint?: string;
  logger?: Logger;
}

export interface AboutInfo {
  name: string;
  fullName: string;
  vendor: string;
  version: string;
  build: string;
  osType: string;
  productLineId: string;
  apiType: string;
  apiVersion: string;
  instanceUuid?: string;
  [k: string]: unknown;
}

export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager?: MoRef;
  about: AboutInfo;
  sessionManager?: MoRef;
  searchIndex?: MoRef;
  fileManager?: MoRef;
  guestOperationsManager?: MoRef;
  [k: string]: unknown;
}

export interface UserSession {
  key: string;
  userName: string;
  fullName?: string;
  [k: string]: unknown;
}

// ---- PropertyCollector ----

export interface PropertySpec {
  type: string;
  all?: boolean;
  pathSet?: string[];
}

/** A name-only reference to a TraversalSpec declared elsewhere in the same spec. */
export interface SelectionSpec {
  name: string;
}

/** Serialized with `xsi:type="TraversalSpec"`. */
export interface TraversalSpec {
  name?: string;
  type: string;
  path: string;
  skip?: boolean;
  selectSet?: (SelectionSpec | TraversalSpec)[];
}

export interface ObjectSpec {
  obj: MoRef;
  skip?: boolean;
  selectSet?: (SelectionSpec | TraversalSpec)[];
}

export interface PropertyFilterSpec {
  propSet: PropertySpec[];
  objectSet: ObjectSpec[];
  reportMissingObjectsInResults?: boolean;
}

export interface RetrieveOptions {
  maxObjects?: number;
}

export interface DynamicProperty {
  name: string;
  val: unknown;
}

export interface MissingProperty {
  path: string;
  fault: unknown;
}

export interface ObjectContent {
  obj: MoRef;
  propSet: DynamicProperty[];
  missingSet: MissingProperty[];
}

export interface RetrieveResult {
  token?: string;
  objects: ObjectContent[];
}

export interface WaitOptions {
  maxWaitSeconds?: number;
  maxObjectUpdates?: number;
}

export interface PropertyChange {
  name: string;
  op: 'add' | 'remove' | 'assign' | 'indirectRemove';
  val?: unknown;
}

export interface ObjectUpdate {
  kind: 'modify' | 'enter' | 'leave';
  obj: MoRef;
  changeSet: PropertyChange[];
  missingSet: MissingProperty[];
}

export interface PropertyFilterUpdate {
  filter: MoRef;
  objectSet: ObjectUpdate[];
  missingSet: MissingProperty[];
}

export interface UpdateSet {
  version: string;
  filterSet: PropertyFilterUpdate[];
  truncated?: boolean;
}

// ---- VM configuration ----

/** extraConfig / InstantCloneSpec.config entry; values are sent as `xsd:string`. */
export interface OptionValue {
  key: string;
  value: string;
}

export interface Description {
  label: string;
  summary: string;
}

export interface NetworkBacking {
  _type: 'VirtualEthernetCardNetworkBackingInfo';
  deviceName: string;
  useAutoDetect?: boolean;
  network?: MoRef;
  inPassthroughMode?: boolean;
}

export interface DistributedPortBacking {
  _type: 'VirtualEthernetCardDistributedVirtualPortBackingInfo';
  port: { switchUuid: string; portgroupKey?: string; portKey?: string; connectionCookie?: number };
}

export interface OpaqueNetworkBacking {
  _type: 'VirtualEthernetCardOpaqueNetworkBackingInfo';
  opaqueNetworkId: string;
  opaqueNetworkType: string;
}

export type NicBacking = NetworkBacking | DistributedPortBacking | OpaqueNetworkBacking;

export interface ConnectInfo {
  /** Instant clone only (6.7+). */
  migrateConnect?: 'connect' | 'disconnect' | 'unset';
  startConnected: boolean;
  allowGuestControl: boolean;
  connected: boolean;
  status?: string;
}

/** The NIC device kinds we send; all share VirtualEthernetCard's fields. */
export type NicType =
  | 'VirtualVmxnet3'
  | 'VirtualVmxnet3Vrdma'
  | 'VirtualVmxnet2'
  | 'VirtualE1000e'
  | 'VirtualE1000'
  | 'VirtualPCNet32'
  | 'VirtualSriovEthernetCard';

export interface VirtualEthernetCard {
  /** Concrete device type, written as `xsi:type`. */
  _type: NicType;
  key: number;
  deviceInfo?: Description;
  backing?: NicBacking;
  connectable?: ConnectInfo;
  controllerKey?: number;
  unitNumber?: number;
  addressType?: string;
  macAddress?: string;
  wakeOnLanEnabled?: boolean;
  externalId?: string;
  uptCompatibilityEnabled?: boolean;
}

export interface VirtualDeviceConfigSpec {
  operation?: 'add' | 'remove' | 'edit';
  device: VirtualEthernetCard;
}

export interface VirtualMachineConfigSpec {
  name?: string;
  annotation?: string;
  numCPUs?: number;
  memoryMB?: number;
  deviceChange?: VirtualDeviceConfigSpec[];
  extraConfig?: OptionValue[];
}

export interface RelocateSpec {
  folder?: MoRef;
  datastore?: MoRef;
  pool?: MoRef;
  host?: MoRef;
  deviceChange?: VirtualDeviceConfigSpec[];
}

export interface InstantCloneSpec {
  name: string;
  location: RelocateSpec;
  config?: OptionValue[];
  biosUuid?: string;
}

export interface CloneSpec {
  location: RelocateSpec;
  template: boolean;
  config?: VirtualMachineConfigSpec;
  powerOn: boolean;
  snapshot?: MoRef;
  memory?: boolean;
}

// ---- Guest operations ----

/** Sent as `NamePasswordAuthentication`. */
export interface GuestAuth {
  username: string;
  password: string;
  interactiveSession?: boolean;
}

export interface GuestProgramSpec {
  /** Set to 'GuestWindowsProgramSpec' to send `startMinimized`. */
  _type?: 'GuestProgramSpec' | 'GuestWindowsProgramSpec';
  programPath: string;
  arguments: string;
  workingDirectory?: string;
  envVariables?: string[];
  startMinimized?: boolean;
}

export interface GuestProcessInfo {
  name: string;
  pid: number;
  owner: string;
  cmdLine: string;
  startTime: string;
  endTime?: string;
  exitCode?: number;
}

export interface GuestPosixFileAttributes {
  _type: 'GuestPosixFileAttributes';
  modificationTime?: string;
  accessTime?: string;
  symlinkTarget?: string;
  ownerId?: number;
  groupId?: number;
  permissions?: number;
}

export interface GuestWindowsFileAttributes {
  _type: 'GuestWindowsFileAttributes';
  modificationTime?: string;
  accessTime?: string;
  symlinkTarget?: string;
  hidden?: boolean;
  readOnly?: boolean;
  createTime?: string;
}

export type GuestFileAttributes = GuestPosixFileAttributes | GuestWindowsFileAttributes;

export interface FileTransferInformation {
  attributes: Record<string, unknown>;
  size: number;
  url: string;
}
