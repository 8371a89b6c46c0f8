// Debug Console text for the custom verbs' reply bodies: what `.compare`, `.timeline`, `.seek` … print.

import type { ConsoleArgs, ConsoleCommand, RequestCommand } from './commands';
import { formatComparison } from './inspect';
import type { ReplyBody } from './requests';
import { NS_PER_MS, fmtMs } from '../ft/sim/units';

/** Per verb, the text of its request's reply (a verb that is no custom request does not compile here). */
const FORMAT: { [K in keyof ConsoleArgs]: (body: ReplyBody<K>, args: ConsoleArgs[K]) => string } = {
  compareVMs: (b) => ('noPair' in b ? b.noPair : formatComparison(b)),
  timeline: (b, args) => {
    const last = args.last ?? 20;
    return b.events.slice(-last).map((e) => `${(e.timeNs / NS_PER_MS).toFixed(3).padStart(10)} ms  ${e.kind.padEnd(12)} ${e.text}`).join('\n');
  },
  injectFault: (b) => `${b.fault.kind}${b.fault.host ? ` ${b.fault.host}` : ''}${b.fault.groups ? ` ${b.fault.groups.map((g) => g.join(',')).join(' | ')}` : ''} takes effect at ${fmtMs(b.atNs)}, when the cluster runs on: continue or step to see it`,
  checkpoint: (b) => b.checkpoints.map((c) => `${c.name} @ ${fmtMs(c.nowNs)}`).join('\n') || '(no checkpoints)',
  ftAction: (b, args) => `${args.action}${args.vm === undefined ? '' : ` on ${args.vm}`} takes effect at ${fmtMs(b.atNs)}, when the cluster runs on: continue or step to see it`,
  findDivergence: (b) => (b.same ? 'primary and secondary never differ in the recording' : `first difference at instruction ${b.instret}\n${formatComparison(b.differences)}`),
  seek: (b) => `going to ${fmtMs(b.nowNs)}`,
  reverseStep: (b, args) => `stepped back (${args.kind ?? 'over'}) to ${fmtMs(b.nowNs)}`,
};

/** The Debug Console's rendering of a reply body of the verb's custom request. */
export function formatReply<K extends keyof ConsoleArgs>(cmd: RequestCommand<K>, body: ReplyBody<K>): string {
  return FORMAT[cmd.verb](body, cmd.args);
}

/**
 * The Debug Console's rendering of the reply body of one console command, as the session's `custom()` hands it
 * over: untyped there, but built for that verb's request as `ReplyBody<verb>` (each reply there `satisfies` it).
 */
export function formatConsoleReply(cmd: ConsoleCommand, body: unknown): string {
  return cmd.verb === 'help' ? JSON.stringify(body) : formatReply(cmd, body as ReplyBody<typeof cmd.verb>);
}
