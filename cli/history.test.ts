import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { iterationIndexes, toRunnerEvents } from './history.js';
import { cloneViews } from './run-view.js';

const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 8, 0, s));
const clone = (name: string) => JSON.stringify({ clone: { name, source: 'linux', os: 'linux' } });

/** Two clone iterations as AWS records them: #0 retried after VcenterUnavailable, #1 caught CloneFailed. */
const history: HistoryEvent[] = [
  {
    id: 1,
    type: 'ExecutionStarted',
    timestamp: at(0),
    executionStartedEventDetails: { input: '{"requesterId":"me"}' },
  },
  {
    id: 2,
    previousEventId: 1,
    type: 'MapStateEntered',
    timestamp: at(1),
    stateEnteredEventDetails: { name: 'CloneFleet', input: '{}' },
  },
  {
    id: 3,
    previousEventId: 2,
    type: 'MapStateStarted',
    timestamp: at(1),
    mapStateStartedEventDetails: { length: 2 },
  },
  {
    id: 4,
    previousEventId: 3,
    type: 'MapIterationStarted',
    timestamp: at(1),
    mapIterationStartedEventDetails: { name: 'CloneFleet', index: 0 },
  },
  {
    id: 5,
    previousEventId: 4,
    type: 'TaskStateEntered',
    timestamp: at(1),
    stateEnteredEventDetails: { name: 'InstantClone', input: clone('c-01') },
  },
  {
    id: 6,
    previousEventId: 5,
    type: 'TaskScheduled',
    timestamp: at(1),
    taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'r', parameters: '{}' },
  },
  {
    id: 7,
    previousEventId: 3,
    type: 'MapIterationStarted',
    timestamp: at(1),
    mapIterationStartedEventDetails: { name: 'CloneFleet', index: 1 },
  },
  {
    id: 8,
    previousEventId: 7,
    type: 'TaskStateEntered',
    timestamp: at(1),
    stateEnteredEventDetails: { name: 'InstantClone', input: clone('c-02') },
  },
  {
    id: 9,
    previousEventId: 8,
    type: 'TaskScheduled',
    timestamp: at(1),
    taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'r', parameters: '{}' },
  },
  {
    id: 10,
    previousEventId: 6,
    type: 'TaskFailed',
    timestamp: at(2),
    taskFailedEventDetails: {
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'VcenterUnavailable',
      cause: '{"errorMessage":"busy"}',
    },
  },
  {
    id: 11,
    previousEventId: 10,
    type: 'TaskScheduled',
    timestamp: at(3),
    taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'r', parameters: '{}' },
  },
  {
    id: 12,
    previousEventId: 11,
    type: 'TaskSucceeded',
    timestamp: at(5),
    taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: '{}' },
  },
  {
    id: 13,
    previousEventId: 12,
    type: 'TaskStateExited',
    timestamp: at(5),
    stateExitedEventDetails: { name: 'InstantClone', output: '{}' },
  },
  {
    id: 14,
    previousEventId: 9,
    type: 'TaskFailed',
    timestamp: at(5),
    taskFailedEventDetails: {
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'CloneFailed',
      cause: '{"errorMessage":"InsufficientResourcesFault"}',
    },
  },
  {
    id: 15,
    previousEventId: 14,
    type: 'TaskStateExited',
    timestamp: at(5),
    stateExitedEventDetails: { name: 'InstantClone', output: '{}' },
  },
  {
    id: 16,
    previousEventId: 15,
    type: 'TaskStateEntered',
    timestamp: at(5),
    stateEnteredEventDetails: { name: 'DiscardFailedClone', input: clone('c-02') },
  },
  {
    id: 17,
    previousEventId: 13,
    type: 'MapIterationSucceeded',
    timestamp: at(6),
    mapIterationSucceededEventDetails: { name: 'CloneFleet', index: 0 },
  },
  {
    id: 18,
    previousEventId: 16,
    type: 'MapIterationSucceeded',
    timestamp: at(6),
    mapIterationSucceededEventDetails: { name: 'CloneFleet', index: 1 },
  },
  { id: 19, previousEventId: 18, type: 'MapStateSucceeded', timestamp: at(6) },
  {
    id: 20,
    previousEventId: 19,
    type: 'MapStateExited',
    timestamp: at(6),
    stateExitedEventDetails: { name: 'CloneFleet', output: '{}' },
  },
];

describe('AWS execution history → the runner event shape', () => {
  it('finds each event’s Map iteration through previousEventId, whatever the order given', () => {
    const index = iterationIndexes([...history].reverse());
    expect([5, 10, 13, 17].map((id) => index.get(id))).toEqual([0, 0, 0, 0]);
    expect([8, 14, 16, 18].map((id) => index.get(id))).toEqual([1, 1, 1, 1]);
    expect([2, 19, 20].map((id) => index.get(id))).toEqual([undefined, undefined, undefined]);
  });

  it('a retried task is StateRetried; a caught failure stays a failure (its exit is not a success)', () => {
    const events = toRunnerEvents(history);
    const of = (index: number) =>
      events.filter((e) => e.index === index).map((e) => `${e.type} ${e.state?.name}`);
    expect(of(0)).toEqual([
      'StateEntered InstantClone',
      'StateFailed InstantClone',
      'StateRetried InstantClone',
      'StateExited InstantClone',
    ]);
    expect(of(1)).toEqual([
      'StateEntered InstantClone',
      'StateFailed InstantClone',
      'StateEntered DiscardFailedClone',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'StateExited', state: { name: 'CloneFleet', type: 'Map' } });
  });

  it('status shows each clone’s phase and the error that stuck', () => {
    expect(cloneViews(toRunnerEvents(history))).toEqual([
      { name: 'c-01', source: 'linux', os: 'linux', phase: 'cloning' },
      {
        name: 'c-02',
        source: 'linux',
        os: 'linux',
        phase: 'failed, tearing down',
        error: { name: 'CloneFailed', message: 'InsufficientResourcesFault' },
      },
    ]);
  });
});
