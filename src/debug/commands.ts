// Debug Console verbs (`.inject`, `.ft`, `.divergence`, `.compare`, `.seek`, `.back`, `.checkpoint`, `.timeline`, `.help`) parsed into the same shapes as the custom requests.

/**
 * The arguments each verb parses from the typed line, by the custom request it becomes (src/debug/requests.ts): as
 * typed, so not yet the request's contract types (the adapter checks them as it checks any request's); `.timeline`
 * takes how many events to show.
 */
export interface ConsoleArgs {
  injectFault: Record<string, unknown>;
  ftAction: { action: string; vm?: string };
  findDivergence: { vm?: string };
  compareVMs: { ifNoPair: 'reply'; vm?: string };
  seek: { timeMs?: number; vm?: number; instret?: number; event?: string; n?: number };
  checkpoint: { op: string; name?: string };
  timeline: { last?: number };
  reverseStep: { kind?: string };
}

/** A verb that is a custom request, with its arguments. */
export type RequestCommand<K extends keyof ConsoleArgs = keyof ConsoleArgs> = { [V in K]: { verb: V; args: ConsoleArgs[V] } }[K];

export type ConsoleCommand = RequestCommand | { verb: 'help'; args: Record<string, never> };

/** `.help`: each verb's synopsis, then what it does indented below, so no line is wider than an 80-column console. */
export const CONSOLE_HELP = [
  'Debug Console verbs (anything else is an expression: a0, *0x80001000, a C name):',
  '',
  '.inject KIND [HOST|@primary|@secondary] [key=value…]',
  '    inject a fault now: .inject hostCrash @primary,',
  '    .inject slowHost host-b factor=4',
  '.inject partition HOST… | HOST…',
  '    cut the cluster into groups: .inject partition host-a | host-b,host-c',
  '.ft ACTION [VM]',
  '    an FT action now: testFailover, testRestartSecondary, turnOffFT, turnOnFT,',
  '    suspendFT, resumeFT, migrateSecondary; VM: which VM of a cluster',
  '    (default: the first)',
  '.divergence [VM]',
  '    go to the first instruction where primary and secondary differ; VM:',
  '    which VM of a cluster (default: the first)',
  '.compare [VM]',
  '    primary vs secondary at the same instruction count (VM: as .divergence)',
  '.seek 40ms | .seek 250us | .seek vm=2 instret=12345 | .seek goLive [n]',
  '    travel to a time, an instruction count of a VM, or the n-th cluster event',
  '.back [over|in|out|instruction]',
  '    step back on the VM last stopped in: over calls (default), into the last',
  '    line run, out to the call, or one instruction',
  '.checkpoint create|list|jump|delete [NAME]',
  '    named checkpoints',
  '.timeline [N]',
  '    the last N cluster events (default 20)',
  '.help',
  '    this list',
].join('\n');

export const CONSOLE_VERBS = ['.inject', '.ft', '.divergence', '.compare', '.seek', '.back', '.checkpoint', '.timeline', '.help'];

function scalar(v: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v === 'true' || v === 'false') return v === 'true';
  return v;
}

export class CommandError extends Error {}

/** `host-a | host-b,host-c` (or `host-a|host-b host-c`) → `[["host-a"], ["host-b", "host-c"]]`. */
export function partitionGroups(text: string): string[][] {
  const groups = text.split('|').map((g) => g.split(/[\s,]+/).filter((h) => h !== ''));
  if (groups.length < 2 || groups.some((g) => g.length === 0)) throw new CommandError(`a partition needs groups of hosts separated by |, e.g. .inject partition host-a | host-b,host-c (got ${JSON.stringify(text)})`);
  return groups;
}

export function parseConsoleCommand(line: string): ConsoleCommand {
  const [head, ...rest] = line.trim().split(/\s+/);
  const kv = (toks: string[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const t of toks) {
      const i = t.indexOf('=');
      if (i <= 0) throw new CommandError(`expected key=value, got ${JSON.stringify(t)}`);
      out[t.slice(0, i)] = scalar(t.slice(i + 1));
    }
    return out;
  };
  switch (head) {
    case '.inject': {
      if (rest.length === 0) throw new CommandError('usage: .inject KIND [HOST] [key=value…]  (.inject partition HOST… | HOST…)');
      const fault: Record<string, unknown> = { kind: rest[0] };
      let toks = rest.slice(1);
      const words = toks.filter((t) => !t.includes('='));
      if (rest[0] === 'partition' || words.some((t) => t.includes('|'))) {
        // .inject partition host-a | host-b,host-c: groups of hosts, `|` between groups, spaces or commas within one.
        if (words.length > 0) fault.groups = partitionGroups(words.join(' '));
        toks = toks.filter((t) => t.includes('='));
      } else if (toks.length > 0 && !toks[0].includes('=')) {
        fault.host = toks[0];
        toks = toks.slice(1);
      }
      const kvs = kv(toks);
      if (typeof kvs.groups === 'string') kvs.groups = partitionGroups(kvs.groups);
      return { verb: 'injectFault', args: { ...fault, ...kvs } };
    }
    case '.ft':
      if (rest.length < 1 || rest.length > 2) throw new CommandError('usage: .ft testFailover|testRestartSecondary|turnOffFT|turnOnFT|suspendFT|resumeFT|migrateSecondary [VM]');
      return { verb: 'ftAction', args: rest.length === 1 ? { action: rest[0] } : { action: rest[0], vm: rest[1] } };
    case '.divergence':
      if (rest.length > 1) throw new CommandError('usage: .divergence [VM]');
      return { verb: 'findDivergence', args: rest.length === 0 ? {} : { vm: rest[0] } };
    case '.compare':
      if (rest.length > 1) throw new CommandError('usage: .compare [VM]');
      // No pair now: a line saying why, not an error.
      return { verb: 'compareVMs', args: rest.length === 0 ? { ifNoPair: 'reply' } : { ifNoPair: 'reply', vm: rest[0] } };
    case '.seek': {
      if (rest.length === 0) throw new CommandError('usage: .seek 40ms | .seek vm=2 instret=12345 | .seek goLive [n]');
      const m = /^(\d+(?:\.\d+)?)(ms|us|ns|s)?$/.exec(rest[0]);
      if (m !== null) {
        const scale = { s: 1000, ms: 1, us: 1e-3, ns: 1e-6 }[(m[2] ?? 'ms') as 's' | 'ms' | 'us' | 'ns'];
        return { verb: 'seek', args: { timeMs: Number(m[1]) * scale } };
      }
      if (/^[a-zA-Z]+$/.test(rest[0])) return { verb: 'seek', args: { event: rest[0], n: rest[1] === undefined ? 0 : Number(rest[1]) } };
      const a = kv(rest);
      return { verb: 'seek', args: { vm: Number(a.vm), instret: Number(a.instret) } };
    }
    case '.back':
      if (rest.length > 1) throw new CommandError('usage: .back [over|in|out|instruction]');
      return { verb: 'reverseStep', args: rest.length === 0 ? {} : { kind: rest[0] } };
    case '.checkpoint':
      return { verb: 'checkpoint', args: { op: rest[0] ?? 'list', name: rest[1] } };
    case '.timeline':
      return { verb: 'timeline', args: { last: rest[0] !== undefined ? Number(rest[0]) : 20 } };
    case '.help':
      return { verb: 'help', args: {} };
    default:
      throw new CommandError(`unknown command ${JSON.stringify(head)}\n${CONSOLE_HELP}`);
  }
}
