// A tiny shell for the simulated guest: splits a command line into simple commands (sh or cmd.exe
// syntax), expands $VARS and $( pipelines ), follows && || ; and if/elif/else/fi, handles > / >> redirection,
// exec > file, set -e and exit N. Loops are not iterated: a loop that follows a refresh waits for the lease
// once (see README.md).
import { runCommand } from './guest-commands.js';
import type { GuestEnv } from './guest-env.js';

export interface ScriptResult {
  exitCode: number;
  endTime: number;
}

type Sep = ';' | '&&' | '||' | '|' | '&';
interface Segment {
  text: string;
  sep: Sep | undefined;
}

export function splitSegments(script: string, win: boolean): Segment[] {
  const segs: Segment[] = [];
  let cur = '';
  let quote = '';
  let depth = 0;
  const push = (sep: Sep | undefined) => {
    if (cur.trim() || sep) segs.push({ text: cur.trim(), sep });
    cur = '';
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i] as string;
    const n = script[i + 1];
    if (quote) {
      if (c === quote) quote = '';
      cur += c;
      continue;
    }
    if (c === '"' || (c === "'" && !win)) quote = c;
    else if (c === '$' && n === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    if (quote || depth > 0 || c === '$' || c === '"' || c === "'") {
      cur += c;
      continue;
    }
    if ((c === '&' && n === '&') || (c === '|' && n === '|')) {
      push(c === '&' ? '&&' : '||');
      i++;
    } else if (c === '&' && n === '>') cur += c;
    else if (c === '&' && script[i - 1] === '>') cur += c;
    else if (c === '|') push('|');
    else if (c === '&') push(win ? '&' : ';');
    else if (c === '\n' || (c === ';' && !win)) push(';');
    else cur += c;
  }
  push(undefined);
  return segs.filter((s) => s.text !== '' || s.sep === undefined);
}

/** Splits words, removing quotes; single quotes are literal only in sh. */
export function words(text: string, win: boolean): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  let has = false;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = '';
      else cur += c;
    } else if (c === '"' || (c === "'" && !win)) {
      quote = c;
      has = true;
    } else if (/\s/.test(c)) {
      if (cur || has) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (cur || has) out.push(cur);
  return out;
}

const LOOP_WORDS = /^(while|until|for|do|goto|:\w+|foreach)\b/i;
const KEYWORDS = /^(then|do|else|elif|if|while|until|\{|\(|!)\s+/;

/** Text filters that read piped input: grep, head, cut, tr. Undefined when `ws` is not one. */
export function filter(ws: string[], input: string): { out: string; code: number } | undefined {
  const [cmd = '', ...args] = ws;
  const lines = input.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const join = (ls: string[]) => (ls.length ? `${ls.join('\n')}\n` : '');
  if (cmd === 'grep' || cmd === 'egrep') {
    const flags = args.filter((w) => /^-[a-z]+$/i.test(w)).join('');
    const pat = args.find((w) => !/^-[a-z]+$/i.test(w)) ?? '';
    const fold = (x: string) => (flags.includes('i') ? x.toLowerCase() : x);
    const anchored = /^\^(.*)\$$/.exec(pat);
    const hit = (l: string) =>
      flags.includes('x') || anchored ? fold(l) === fold(anchored?.[1] ?? pat) : fold(l).includes(fold(pat));
    const kept = lines.filter((l) => hit(l) !== flags.includes('v'));
    return { out: flags.includes('q') ? '' : join(kept), code: kept.length ? 0 : 1 };
  }
  if (cmd === 'head') {
    const n = Number(args[args.indexOf('-n') + 1] ?? /^-(\d+)$/.exec(args[0] ?? '')?.[1] ?? 10);
    return { out: join(lines.slice(0, n)), code: 0 };
  }
  if (cmd === 'cut') {
    const opt = (k: string) => {
      const i = args.findIndex((w) => w.startsWith(k));
      if (i < 0) return undefined;
      return (args[i] as string).length > 2 ? (args[i] as string).slice(2) : args[i + 1];
    };
    const d = opt('-d') ?? '\t';
    const f = Number(opt('-f') ?? 1);
    return { out: join(lines.map((l) => l.split(d)[f - 1] ?? (l.includes(d) ? '' : l))), code: 0 };
  }
  if (cmd === 'tr' && args[0] === '-d') {
    const chars = new Set((args[1] ?? '').replace(/\\n/g, '\n'));
    return { out: [...input].filter((c) => !chars.has(c)).join(''), code: 0 };
  }
  return undefined;
}

/** An if … fi being evaluated: is the current part running, has a branch been taken. */
interface IfFrame {
  outer: boolean;
  phase: 'cond' | 'body';
  taken: boolean;
  active: boolean;
}

export function runScript(env: GuestEnv, script: string, start: number): ScriptResult {
  const win = env.os === 'windows';
  const vars = new Map<string, string>();
  let t = start;
  let code = 0;
  let errexit = false;
  let execTarget: { path: string; append: boolean } | undefined;
  let pipeInput: string | undefined;
  let waitedForLease = false;
  let skipPipe = false;
  // after `break`: the rest of the loop's body does not run (a loop's body is walked once, see LOOP_WORDS)
  let breaking = false;
  const ifs: IfFrame[] = [];
  const running = () => ifs.at(-1)?.active ?? true;
  const output: string[] = [];
  const expand = (s: string) =>
    win
      ? s
      : s
          .replace(/\$\(((?:[^()]|\([^()]*\))*)\)/g, (_m, inner: string) => runInner(inner).trim())
          .replace(
            /\$\{(\w+)\}|\$(\w+)/g,
            (_m, a?: string, b?: string) => vars.get((a ?? b) as string) ?? '',
          );
  // $( … ): a pipeline of simple commands; its output, redirections to /dev/null dropped
  const runInner = (inner: string): string => {
    let input: string | undefined;
    for (const part of splitSegments(inner, win)) {
      const ws = words(expand(part.text.replace(/\s*\d?>+\s*\S+/g, '')), win);
      const filtered = input === undefined ? undefined : filter(ws, input);
      if (filtered) {
        input = filtered.out;
        continue;
      }
      const r = runCommand(env, ws, t);
      t = r.t;
      input = r.out;
    }
    return input ?? '';
  };
  const emit = (out: string, redirect?: { path: string; append: boolean }) => {
    const target = redirect ?? execTarget;
    if (!target) output.push(out);
    else if (target.path !== '/dev/null' && target.path.toLowerCase() !== 'nul')
      env.writeFile(t, target.path, out, target.append);
  };

  const segs = splitSegments(script, win);
  for (const [i, seg] of segs.entries()) {
    const prevSep = segs[i - 1]?.sep;
    let text = seg.text.replace(/^@/, '');
    if (breaking) {
      if (!/^done\b/.test(text)) continue;
      breaking = false;
    }
    // if / elif / else / fi, evaluated: only the branch whose condition held runs
    if (!win) {
      const kw = /^(if|then|elif|else|fi)\b\s*/.exec(text);
      if (kw) {
        const top = ifs.at(-1);
        if (kw[1] === 'if') ifs.push({ outer: running(), phase: 'cond', taken: false, active: running() });
        else if (top && kw[1] === 'then') {
          top.phase = 'body';
          top.active = top.outer && top.active && !top.taken && code === 0;
          if (top.active) top.taken = true;
        } else if (top && kw[1] === 'elif') {
          top.phase = 'cond';
          top.active = top.outer && !top.taken;
        } else if (top && kw[1] === 'else') {
          top.phase = 'body';
          top.active = top.outer && !top.taken;
          top.taken = true;
        } else if (top && kw[1] === 'fi') {
          ifs.pop();
          if (!top.taken && top.outer) code = 0;
        }
        text = text.slice(kw[0].length);
        if (text === '') continue;
      }
    }
    if (!running()) continue;
    // a command skipped by && or || takes the rest of its pipeline with it
    if (skipPipe && prevSep === '|') {
      skipPipe = seg.sep === '|';
      continue;
    }
    if ((prevSep === '&&' && code !== 0) || (prevSep === '||' && code === 0)) {
      skipPipe = seg.sep === '|';
      continue;
    }
    skipPipe = false;
    if (LOOP_WORDS.test(text) && !waitedForLease) {
      // A loop that polls for the address: when the NIC has none yet, it ends when the pending lease lands.
      const lease = env.pendingLease();
      if (lease !== undefined && env.ipAt(t) === undefined) t = Math.max(t, lease + env.ms.command);
      waitedForLease = true;
    }
    while (KEYWORDS.test(text)) text = text.replace(KEYWORDS, '');
    // redirections (those inside $( … ) belong to the substitution)
    const subs: string[] = [];
    text = text.replace(/\$\((?:[^()]|\([^()]*\))*\)/g, (m) => `@@sub${subs.push(m) - 1}@@`);
    let redirect: { path: string; append: boolean } | undefined;
    text = text.replace(/\s*(\d?)(>>?)\s*("[^"]+"|[^\s&]+)/g, (m, fd: string, op: string, path: string) => {
      if (path.startsWith('&')) return '';
      if (fd === '2') return '';
      redirect = { path: expand(path.replace(/"/g, '')), append: op === '>>' };
      return m.startsWith(' ') ? ' ' : '';
    });
    text = text
      .replace(/\s*2>&1/g, '')
      .replace(/<\s*\S+/g, '')
      .trim();
    text = text.replace(/@@sub(\d+)@@/g, (_m, i: string) => subs[Number(i)] ?? '');
    if (/^(done|fi|end|\}|\))$/.test(text) || text === '') {
      if (redirect) emit(output.splice(0).join(''), redirect);
      continue;
    }
    if (/^(done|fi|\})\b/.test(text)) text = text.replace(/^(done|fi|\})\s*/, '');
    const ws = words(expand(text), win);
    if (!win && ws[0] === 'exec' && ws.length === 1 && redirect) {
      // the shell opens the file once (truncating for `>`); every later command's output goes after the last
      const r: { path: string; append: boolean } = redirect;
      emit('', r);
      execTarget = { path: r.path, append: true };
      continue;
    }
    if (!win && ws[0] === 'set') {
      if (ws.some((w) => /^-\w*e/.test(w))) errexit = true;
      continue;
    }
    const assign = !win && ws.length === 1 ? /^(\w+)=(.*)$/s.exec(ws[0] as string) : null;
    if (assign) {
      vars.set(assign[1] as string, assign[2] ?? '');
      code = 0;
    } else if (win && /^set\s+(\w+)=(.*)$/i.test(text)) {
      code = 0;
    } else if (!win && ws[0] === 'break' && ws.length === 1) {
      breaking = true;
      code = 0;
    } else {
      const filtered = pipeInput === undefined ? undefined : filter(ws, pipeInput);
      const r = filtered ? { ...filtered, t } : runCommand(env, ws, t);
      t = r.t;
      code = r.code;
      if (ws[0] === 'exit' || (win && ws[0]?.toLowerCase() === 'exit')) {
        const n = ws.find((w, j) => j > 0 && /^-?\d+$/.test(w));
        return { exitCode: Number(n ?? code) || 0, endTime: t };
      }
      let out = r.out;
      if (pipeInput !== undefined && !filtered && !r.out) out = pipeInput;
      pipeInput = undefined;
      if (seg.sep === '|') pipeInput = out;
      else emit(out, redirect);
    }
    if (errexit && code !== 0 && seg.sep !== '||' && seg.sep !== '|' && ifs.every((f) => f.phase === 'body'))
      return { exitCode: code, endTime: t };
  }
  return { exitCode: code, endTime: t };
}

/** Turns programPath + arguments into a script, like the program would. */
export function commandLine(
  os: 'linux' | 'windows',
  programPath: string,
  args: string,
  readFile: (p: string) => string | undefined,
): string {
  const prog = (programPath.split(/[\\/]/).pop() ?? '').toLowerCase().replace(/\.exe$/, '');
  if (['sh', 'bash', 'dash', 'ash', 'zsh'].includes(prog)) {
    const ws = words(args, false);
    const ci = ws.findIndex((w) => /^-\w*c\w*$/.test(w));
    if (ci >= 0) return ws[ci + 1] ?? '';
    const file = ws.find((w) => !w.startsWith('-'));
    return file ? (readFile(file) ?? `__missing_script__ ${file}`) : '';
  }
  if (prog === 'cmd') {
    const m = /^\s*\/[ck]\s+(.*)$/is.exec(args);
    let rest = m?.[1]?.trim() ?? '';
    if (rest.startsWith('"') && rest.endsWith('"')) rest = rest.slice(1, -1);
    return rest;
  }
  if (prog === 'powershell' || prog === 'pwsh') {
    const enc = /-(?:e|ec|encodedcommand)\s+(\S+)/i.exec(args);
    if (enc?.[1]) return Buffer.from(enc[1], 'base64').toString('utf16le');
    const c = /-(?:c|command)\s+(.*)$/is.exec(args);
    let rest = c?.[1]?.trim() ?? '';
    if (rest.startsWith('"') && rest.endsWith('"')) rest = rest.slice(1, -1);
    return rest.replace(/\|\s*Out-File\s+(?:-FilePath\s+)?(\S+)/gi, '> $1');
  }
  const file = readFile(programPath);
  if (file !== undefined && os === 'linux') return file;
  return `${/\s/.test(programPath) ? `"${programPath}"` : programPath} ${args}`.trim();
}
