// The per-execution quota report: history events and the largest state payload of the parent and of every
// Distributed Map child, against Step Functions' quotas.
import { HISTORY_EVENTS_QUOTA, MAX_PAYLOAD_BYTES } from './history.js';
import type { ExecutionUsageRecord } from './types.js';

const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;

export function executionUsageLines(executions: ExecutionUsageRecord[]): string[] {
  const lines = [
    `executions: ${executions.length} (history events of ${HISTORY_EVENTS_QUOTA}, largest state of ${MAX_PAYLOAD_BYTES} bytes)`,
  ];
  for (const x of executions) {
    lines.push(
      `  ${x.kind.padEnd(6)} ${x.name.padEnd(64)} ${x.status.padEnd(9)} ${String(x.historyEvents).padStart(6)} events (${pct(x.historyEvents, HISTORY_EVENTS_QUOTA)})  ${String(x.maxPayloadBytes).padStart(7)} B (${pct(x.maxPayloadBytes, MAX_PAYLOAD_BYTES)}, ${x.maxPayloadAt ?? '-'})`,
    );
  }
  return lines;
}

export function largestUsage(executions: ExecutionUsageRecord[]): {
  maxHistoryEvents: number;
  maxPayloadBytes: number;
} {
  return {
    maxHistoryEvents: Math.max(0, ...executions.map((x) => x.historyEvents)),
    maxPayloadBytes: Math.max(0, ...executions.map((x) => x.maxPayloadBytes)),
  };
}
