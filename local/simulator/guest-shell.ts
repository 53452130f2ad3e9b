// A tiny shell for the simulated guest: splits a command line into simple commands (sh or cmd.exe
// syntax), expands $VARS, follows && || ;, handles > / >> redirection, exec > file, set -e and exit N.
// Loops are not iterated: a loop that follows a refresh waits for the lease once (see README.md).
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

export function runScript(env: GuestEnv, script: string, start: number): ScriptResult {
  const win = env.os === 'windows';
  const vars = new Map<string, string>();
  let t = start;
  let code = 0;
  let errexit = false;
  let execTarget: { path: string; append: boolean } | undefined;
  let pipeInput: string | undefined;
  let waitedForLease = false;
  const output: string[] = [];
  const expand = (s: string) =>
    win
      ? s
      : s
          .replace(/\$\(([^()]*)\)/g, (_m, inner: string) => runInner(inner).trim())
          .replace(
            /\$\{(\w+)\}|\$(\w+)/g,
            (_m, a?: string, b?: string) => vars.get((a ?? b) as string) ?? '',
          );
  const runInner = (inner: string): string => {
    const r = runCommand(env, words(expand(inner), win), t);
    t = r.t;
    return r.out;
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
    if ((prevSep === '&&' && code !== 0) || (prevSep === '||' && code === 0)) continue;
    let text = seg.text.replace(/^@/, '');
    while (KEYWORDS.test(text)) text = text.replace(KEYWORDS, '');
    if (LOOP_WORDS.test(text) && !waitedForLease) {
      // A loop that polls for the address: model it as waiting until the pending lease lands.
      const lease = env.pendingLease();
      if (lease !== undefined) t = Math.max(t, lease + env.ms.command);
      waitedForLease = true;
    }
    // redirections
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
    if (/^(done|fi|end|\}|\))$/.test(text) || text === '') {
      if (redirect) emit(output.splice(0).join(''), redirect);
      continue;
    }
    if (/^(done|fi|\})\b/.test(text)) text = text.replace(/^(done|fi|\})\s*/, '');
    const ws = words(expand(text), win);
    if (!win && ws[0] === 'exec' && ws.length === 1 && redirect) {
      execTarget = redirect;
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
    } else {
      const r = runCommand(env, ws, t);
      t = r.t;
      code = r.code;
      if (ws[0] === 'exit' || (win && ws[0]?.toLowerCase() === 'exit')) {
        const n = ws.find((w, j) => j > 0 && /^-?\d+$/.test(w));
        return { exitCode: Number(n ?? code) || 0, endTime: t };
      }
      let out = r.out;
      if (pipeInput !== undefined && /^(grep|egrep)$/.test(ws[0] ?? '')) {
        const pat = ws.filter((w) => !w.startsWith('-'))[1] ?? '';
        const lines = pipeInput.split('\n').filter((l) => l.includes(pat));
        out = lines.length ? `${lines.join('\n')}\n` : '';
        code = lines.length ? 0 : 1;
      } else if (pipeInput !== undefined && !r.out) out = pipeInput;
      pipeInput = undefined;
      if (seg.sep === '|') pipeInput = out;
      else emit(out, redirect);
    }
    if (errexit && code !== 0 && seg.sep !== '||' && seg.sep !== '|') return { exitCode: code, endTime: t };
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
