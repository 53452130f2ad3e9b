import { describe, expect, it } from 'vitest';
import { formatPhaseTable, phaseStats } from '../../local/runner/phase-table.js';
import { cloneTimelines } from '../../local/runner/phases.js';
import { timelineSvg } from '../../local/runner/timeline-svg.js';
import type { ExecutionEvent } from '../../local/runner/types.js';

const ev = (type: string, t: number, name: string, index?: number, extra: Partial<ExecutionEvent> = {}) =>
  ({
    type,
    timestamp: t,
    state: {
      name,
      type: name === 'Clones' || name === 'Teardowns' ? 'Map' : 'Task',
      input: {},
      ...extra.state,
    },
    ...(index === undefined ? {} : { index }),
    ...(extra.Error ? { Error: extra.Error } : {}),
  }) as ExecutionEvent;

/** Two clones; the teardown map runs them in reverse order, matched back by moref. */
const events: ExecutionEvent[] = [
  ev('StateEntered', 0, 'Clones'),
  ...[0, 1].flatMap((i) => [
    ev('StateEntered', 10, 'InstantClone', i, {
      state: { name: 'InstantClone', type: 'Task', input: { source: 'vm-1' } },
    }),
    ev('StateExited', 40, 'InstantClone', i, {
      state: {
        name: 'InstantClone',
        type: 'Task',
        input: { source: 'vm-1' },
        output: { source: 'vm-1', clone: { name: `demo-0${i + 1}`, moref: `vm-10${i}` } },
      },
    }),
    ev('StateEntered', 40, 'ReconnectNic', i),
    ev('StateExited', 45, 'ReconnectNic', i),
    ev('StateEntered', 45, 'RefreshGuestNetwork', i),
    ev('StateRetried', 50, 'RefreshGuestNetwork', i),
    ev('StateExited', 60, 'RefreshGuestNetwork', i),
    ev('StateEntered', 60, 'WaitForIp', i),
    ...(i === 1
      ? [ev('StateFailed', 200, 'WaitForIp', i, { Error: 'IpTimeout' })]
      : [ev('StateExited', 190, 'WaitForIp', i)]),
  ]),
  ev('StateExited', 200, 'Clones'),
  ev('StateEntered', 300, 'Teardowns'),
  ev('StateEntered', 300, 'Teardown', 0, {
    state: { name: 'Teardown', type: 'Task', input: { moref: 'vm-101' } },
  }),
  ev('StateExited', 320, 'Teardown', 0),
  ev('StateEntered', 300, 'Teardown', 1, {
    state: { name: 'Teardown', type: 'Task', input: { moref: 'vm-100' } },
  }),
  ev('StateExited', 330, 'Teardown', 1),
];

describe('phases from the event log', () => {
  const timelines = cloneTimelines(events);

  it('builds one timeline per clone with its teardown joined by moref', () => {
    expect(timelines.map((t) => t.label)).toEqual(['demo-01', 'demo-02']);
    expect(timelines[0]?.spans.find((s) => s.phase === 'teardown')).toMatchObject({ start: 300, end: 330 });
    expect(timelines[1]?.spans.find((s) => s.phase === 'teardown')).toMatchObject({ start: 300, end: 320 });
    expect(timelines[1]?.error).toBe('IpTimeout');
    expect(timelines[0]?.spans.find((s) => s.phase === 'guestRefresh')?.retries).toBe(1);
  });

  it('tabulates n/min/max/avg per phase, only for phases that ended well', () => {
    const stats = phaseStats(timelines);
    expect(stats.find((s) => s.phase === 'cloning')).toEqual({
      phase: 'cloning',
      n: 2,
      min: 30,
      max: 30,
      avg: 30,
    });
    expect(stats.find((s) => s.phase === 'ip')).toMatchObject({ n: 1, min: 130 });
    expect(stats.find((s) => s.phase === 'total')).toMatchObject({ n: 2, min: 210, max: 310 });
    const table = formatPhaseTable(stats, 0.01);
    expect(table).toMatch(/cloning\s+2\s+3\.0\s+3\.0\s+3\.0\s+0\.03/);
    expect(table).toContain('guest refresh');
  });

  it('draws a row per clone with a legend and an axis', () => {
    const svg = timelineSvg(timelines, { title: 'test fleet', timeScale: 0.01, origin: 0 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('demo-01');
    expect(svg).toContain('demo-02 ✗ IpTimeout');
    expect(svg).toContain('simulated seconds');
    expect(svg.match(/<rect [^>]*fill="#4e79a7"/g)?.length).toBe(3); // legend + 2 cloning bars
  });
});

describe('phase table against a real vCenter', () => {
  it('shows one set of columns when unscaled', () => {
    const table = formatPhaseTable(phaseStats(cloneTimelines(events)), 1);
    expect(table.split('\n')[0]).toMatch(/^phase\s+n\s+min s\s+max s\s+avg s$/);
    expect(table).toMatch(/cloning\s+2\s+0\.03\s+0\.03\s+0\.03$/m);
  });
});
