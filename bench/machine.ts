// The machine the figures were taken on.

import { cpus, platform, release, totalmem } from 'node:os';

export function machineLine(): string {
  const c = cpus();
  const model = c[0]?.model.trim() ?? 'unknown CPU';
  return `${platform()} ${release()}, ${c.length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`;
}
