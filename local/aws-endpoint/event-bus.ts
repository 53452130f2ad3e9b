// The stack's event bus, locally: PutEvents entries become EventBridge events and go to the targets of the
// rules whose patterns (cdk/event-patterns.ts, the ones the stack deploys) match — Requested to the real start
// function, Release to the real release function, both calling this endpoint through the real SFN client.
// EventBridge delivers at least once; the local bus delivers every matched event `deliveries` times (default 2)
// so that every local run exercises the targets' dedupe.
import { randomUUID } from 'node:crypto';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { RELEASE_PATTERN, REQUESTED_PATTERN, type SharedEventPattern } from '../../cdk/event-patterns.js';
import { release } from '../../lambdas/release/handler.js';
import { startRun } from '../../lambdas/start-run/handler.js';
import { AwsApiError } from './errors.js';
import { type BusEvent, matchesPattern } from './event-pattern.js';
import { REGION } from './history.js';

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number | string;
}

interface Rule {
  name: string;
  pattern: SharedEventPattern;
  target(event: BusEvent): Promise<unknown>;
}

export interface LocalEventBusOptions {
  eventBusName: string;
  stateMachineArn: string;
  client: Pick<SFNClient, 'send'>;
  deliveries: number;
  log?: (line: string) => void;
}

export class LocalEventBus {
  /** every event put on the bus, in order (Ready, Released, … and what pipelines sent) */
  readonly events: BusEvent[] = [];
  private readonly rules: Rule[];
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly options: LocalEventBusOptions) {
    const deps = { client: options.client, stateMachineArn: options.stateMachineArn };
    this.rules = [
      { name: 'RequestedRule', pattern: REQUESTED_PATTERN, target: (e) => startRun(e, deps) },
      { name: 'ReleaseRule', pattern: RELEASE_PATTERN, target: (e) => release(e, deps) },
    ];
  }

  /** PutEvents: validates and records each entry, then delivers it asynchronously, as EventBridge does. */
  put(entries: PutEventsEntry[]): { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[] {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      throw new AwsApiError('ValidationException', 'Entries must hold 1 to 10 entries');
    }
    return entries.map((entry) => {
      const bus = entry.EventBusName ?? 'default';
      if (bus !== this.options.eventBusName && !bus.endsWith(`:event-bus/${this.options.eventBusName}`)) {
        return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
      }
      if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required.' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: '000000000000',
        time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: REGION,
        resources: entry.Resources ?? [],
        detail,
      };
      this.events.push(event);
      this.deliver(event);
      return { EventId: event.id };
    });
  }

  private deliver(event: BusEvent): void {
    for (const rule of this.rules) {
      if (!matchesPattern(rule.pattern, event)) continue;
      for (let i = 0; i < this.options.deliveries; i++) {
        const delivery = rule
          .target(structuredClone(event))
          .then((result) => this.options.log?.(`${rule.name} ${event.id}: ${JSON.stringify(result)}`))
          .catch((error: unknown) =>
            this.options.log?.(
              `${rule.name} ${event.id}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
            ),
          )
          .finally(() => this.pending.delete(delivery));
        this.pending.add(delivery);
      }
    }
  }

  /** Waits for the deliveries under way (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
