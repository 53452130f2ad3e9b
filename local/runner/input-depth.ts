// aws-local-stepfunctions walks the input recursively and overflows the stack on input nested a few thousand
// levels deep, before its own error handling (the run never returns). A request is at most 4 levels deep,
// so anything far deeper is refused before the library sees it.

/** Deepest nesting the runner accepts; the request schema needs 4. */
export const MAX_INPUT_DEPTH = 64;

/** Why the input is refused, or undefined; measured without recursion. */
export function inputDepthProblem(input: unknown): string | undefined {
  let level: unknown[] = [input];
  let depth = 0;
  while (level.length > 0) {
    const next: unknown[] = [];
    for (const value of level) {
      if (value !== null && typeof value === 'object') for (const v of Object.values(value)) next.push(v);
    }
    if (next.length === 0) break;
    depth++;
    if (depth > MAX_INPUT_DEPTH) {
      return `the execution input is nested more than ${MAX_INPUT_DEPTH} levels deep; a request needs 4: fix the request (the local runner refuses it before running)`;
    }
    level = next;
  }
  return undefined;
}
