// A host's memory as vCenter reports it: its physical size (`hardware.memorySize`, bytes; the same figure in
// `summary.hardware.memorySize`) and what is in use (`summary.quickStats.overallMemoryUsage`, MB, which vCenter
// reports only while the host is connected).

export const HOST_MEMORY_PATHS = [
  'hardware.memorySize',
  'summary.hardware.memorySize',
  'summary.quickStats.overallMemoryUsage',
];

export interface HostMemory {
  /** physical memory in MB, null when vCenter did not say */
  memoryMB: number | null;
  /** memory in use in MB, null when vCenter did not say (a disconnected host) */
  usedMB: number | null;
}

function numberOf(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** Reads HOST_MEMORY_PATHS out of one host's retrieved properties. */
export function hostMemoryOf(props: Record<string, unknown>): HostMemory {
  const bytes = numberOf(props['hardware.memorySize']) ?? numberOf(props['summary.hardware.memorySize']);
  return {
    memoryMB: bytes === null ? null : Math.floor(bytes / (1024 * 1024)),
    usedMB: numberOf(props['summary.quickStats.overallMemoryUsage']),
  };
}
