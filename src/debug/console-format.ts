// Debug Console text for the custom verbs' reply bodies: what `.compare`, `.timeline`, `.seek` … print.

import type { ConsoleCommand } from './commands';
import { formatComparison } from './inspect';
import type { compareVms } from './inspect';
import { NS_PER_MS, fmtMs } from '../ft/sim/units';

/** The Debug Console's rendering of the reply body of one console command. */
export function formatConsoleReply(cmd: ConsoleCommand, body: unknown): string {
  switch (cmd.verb) {
    case 'compareVMs': return formatComparison(body as ReturnType<typeof compareVms>);
    case 'timeline': {
      const evs = (body as { events: { timeNs: number; kind: string; text: string }[] }).events;
      const last = cmd.args.last ?? 20;
      return evs.slice(-last).map((e) => `${(e.timeNs / NS_PER_MS).toFixed(3).padStart(10)} ms  ${e.kind.padEnd(12)} ${e.text}`).join('\n');
    }
    case 'injectFault': {
      const b = body as { atNs: number; fault: { kind: string; host?: string } };
      return `${b.fault.kind}${b.fault.host ? ` ${b.fault.host}` : ''} takes effect at ${fmtMs(b.atNs)}: continue or step to see it`;
    }
    case 'checkpoint': return (body as { checkpoints: { name: string; nowNs: number }[] }).checkpoints.map((c) => `${c.name} @ ${fmtMs(c.nowNs)}`).join('\n') || '(no checkpoints)';
    case 'ftAction': return `${cmd.args.action} takes effect at ${fmtMs((body as { atNs: number }).atNs)}: continue or step to see it`;
    case 'findDivergence': {
      const d = body as { same: boolean; instret?: number; differences?: ReturnType<typeof compareVms> };
      return d.same ? 'primary and secondary never differ in the recording' : `first difference at instruction ${d.instret}\n${formatComparison(d.differences!)}`;
    }
    case 'seek': return `going to ${fmtMs((body as { nowNs: number }).nowNs)}`;
    default: return JSON.stringify(body);
  }
}
