import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from './latency.js';

describe('Scheduler.runDue', () => {
  const sched = new Scheduler();
  afterEach(() => sched.stop());

  it('runs what is due by then, in due order, once; later timers stay pending', async () => {
    const ran: string[] = [];
    sched.at(30, () => ran.push('b'));
    sched.at(10, () => ran.push('a'));
    sched.at(60_000, () => ran.push('later'));
    sched.runDue(Date.now() + 40);
    expect(ran).toEqual(['a', 'b']);
    await new Promise((r) => setTimeout(r, 50)); // their own timers no longer fire
    expect(ran).toEqual(['a', 'b']);
  });
});
