export interface Summary {
  n: number;
  min: number;
  median: number;
  max: number;
  avg: number;
}

export function summarize(values: number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { n, min: 0, median: 0, max: 0, avg: 0 };
  return {
    n,
    min: s[0] ?? 0,
    median: n % 2 ? (s[(n - 1) / 2] ?? 0) : ((s[n / 2 - 1] ?? 0) + (s[n / 2] ?? 0)) / 2,
    max: s[n - 1] ?? 0,
    avg: s.reduce((a, b) => a + b, 0) / n,
  };
}

export const fmt = (ms: number, digits = 0): string => ms.toFixed(digits);
export const fmtSummary = (s: Summary, unit = 'ms', digits = 0): string =>
  `n=${s.n} min ${fmt(s.min, digits)} / median ${fmt(s.median, digits)} / max ${fmt(s.max, digits)} ${unit}`;
