import { describe, expect, it } from 'vitest';
import { progressPrinter } from '../../local/runner/progress.js';
import type { RunnerEvent } from '../../local/runner/types.js';

const inIteration = (type: string, at: number, output?: unknown): RunnerEvent => ({
  kind: 'execution',
  event: {
    type,
    timestamp: at,
    index: 0,
    state: {
      name: 'WaitForIp',
      type: 'Task',
      input: { clone: { name: 'ci-ab12-01', source: 'linux' } },
      ...(output === undefined ? {} : { output: output as never }),
    },
  },
});

describe('progress lines', () => {
  it('name the clone, its phase, and the IP it became ready at, in simulated seconds', () => {
    const lines: string[] = [];
    const print = progressPrinter({ write: (l) => lines.push(l), timeScale: 0.1, start: 0 });
    print(inIteration('StateEntered', 1_000));
    print(inIteration('StateExited', 1_500, { ip: { ip: '198.18.1.10', via: 'guest-script' } }));
    expect(lines).toEqual([
      '[  10.0s sim]    ci-ab12-01 (linux)           → IP',
      '[  15.0s sim]    ci-ab12-01 (linux)             ready at 198.18.1.10',
    ]);
  });
});
