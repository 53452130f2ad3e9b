import { startSimulator } from '../simulator/index.js';
import { runLocalWorkflow } from './run.js';

process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
const sim = await startSimulator({ timeScale: 0.1 });
const n = Number(process.argv[2] ?? 1);
const t0 = Date.now();
const r = await runLocalWorkflow({
  input: {
    requesterId: 'x',
    namePrefix: 'one',
    sources: [{ source: 'linux', count: n }],
    leaseMinutes: 0,
    maxConcurrency: 5,
  },
  simulator: sim,
  timeScale: 0.1,
  onEvent: (e) => {
    if (e.kind === 'execution' && (e.event.type === 'StateEntered' || e.event.type === 'StateFailed'))
      console.log(
        Date.now() - t0,
        e.event.type,
        e.event.state?.name,
        e.event.index ?? '',
        e.event.Error ?? '',
      );
  },
});
console.log(r.status, r.error, r.cause?.slice(0, 300), Date.now() - t0, 'left', sim.clones().length);
console.log(JSON.stringify(sim.stats().calls));
await sim.stop();
