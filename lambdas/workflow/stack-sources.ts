// Stack traces that name our sources, without NODE_OPTIONS=--enable-source-maps: that flag reads and indexes
// the bundle's source map at every cold start (≈ 10 ms of CPU for a vCenter handler), for the rare failure.
// Instead the map next to the bundle is read only when a handler fails, through node:module's SourceMap, and the
// error's stack rewritten before the Lambda runtime reports it. Outside a bundle (tsx, tests) there is no map
// beside the module and stacks stay as they are.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const maps = new Map<string, SourceMap | null>();

function mapFor(bundleUrl: string): SourceMap | null {
  if (!maps.has(bundleUrl)) {
    try {
      maps.set(bundleUrl, new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(bundleUrl)}.map`, 'utf8'))));
    } catch {
      maps.set(bundleUrl, null);
    }
  }
  return maps.get(bundleUrl) ?? null;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Rewrites `error.stack`'s frames in `bundleUrl` (default: this module's bundle) to source file:line:column. */
export function mapStack(error: Error, bundleUrl: string = import.meta.url): void {
  const stack = error.stack;
  if (!stack?.includes(bundleUrl)) return;
  const map = mapFor(bundleUrl);
  if (!map) return;
  const frame = new RegExp(`${escapeRegExp(bundleUrl)}:(\\d+):(\\d+)`, 'g');
  error.stack = stack.replace(frame, (whole, line: string, column: string) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalSource === undefined || entry.originalLine === undefined) return whole;
    const source = entry.originalSource.replace(/^(\.\.\/)+/, '');
    return `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}
