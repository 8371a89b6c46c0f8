// Pure catalogue of the palette's FT actions and fault injections (no `vscode` import): command ids → custom requests.
import type { FtActionName, InjectFaultArgs, ReplyBody, RequestArgs } from '../debug/requests';
import type { VmScope } from './vm-choice';

/** The custom requests the palette sends, each with its arguments as the contract types them. */
type PaletteRequest = 'ftAction' | 'injectFault' | 'findDivergence' | 'reverseStep';

export type CustomRequest<K extends PaletteRequest = PaletteRequest> = { [C in K]: { command: C; args: RequestArgs<C> } }[K];

export interface ActionCommand {
  /** Command id in package.json (`lockstep.*`). */
  id: string;
  title: string;
  request: CustomRequest;
}

const FT_ACTIONS: [FtActionName, string][] = [
  ['testFailover', 'Test Failover'],
  ['testRestartSecondary', 'Test Restart Secondary'],
  ['turnOffFT', 'Turn Off Fault Tolerance'],
  ['turnOnFT', 'Turn On Fault Tolerance'],
  ['suspendFT', 'Suspend Fault Tolerance'],
  ['resumeFT', 'Resume Fault Tolerance'],
  ['migrateSecondary', 'Migrate Secondary'],
];

const FAULTS: [string, string, InjectFaultArgs][] = [
  ['crashPrimaryHost', "Inject Fault: Crash the Primary's Host", { kind: 'hostCrash', host: '@primary' }],
  ['crashSecondaryHost', "Inject Fault: Crash the Secondary's Host", { kind: 'hostCrash', host: '@secondary' }],
  ['loggingLinkDown', 'Inject Fault: FT Logging Link Down (between the Pair)', { kind: 'loggingLinkDown' }],
  ['loggingLinkUp', 'Inject Fault: FT Logging Link Up (between the Pair)', { kind: 'loggingLinkUp' }],
  ['slowSecondaryHost', "Inject Fault: Slow the Secondary's Host (×0.25)", { kind: 'slowHost', host: '@secondary', factor: 0.25 }],
  ['storageLoss', "Inject Fault: Shared Storage Lost (Primary's Host)", { kind: 'storageLoss', host: '@primary' }],
  ['storageRestore', "Inject Fault: Shared Storage Restored (Primary's Host)", { kind: 'storageRestore', host: '@primary' }],
  ['heal', 'Inject Fault: Heal Every Partition', { kind: 'heal' }],
];

/** Every palette command that is one custom request to the active lockstep session. */
export function actionCommands(): ActionCommand[] {
  return [
    ...FT_ACTIONS.map(([action, title]) => ({ id: `lockstep.ft.${action}`, title, request: { command: 'ftAction' as const, args: { action } } })),
    ...FAULTS.map(([id, title, fault]) => ({ id: `lockstep.fault.${id}`, title, request: { command: 'injectFault' as const, args: { ...fault } } })),
    { id: 'lockstep.findDivergence', title: 'Find First Divergence', request: { command: 'findDivergence' as const, args: {} } },
    // DAP's Step Back has no kind: these go back into the last call the previous line made, or out to the call of this function.
    { id: 'lockstep.stepBackInto', title: 'Step Back Into (the Last Call)', request: { command: 'reverseStep' as const, args: { kind: 'in' as const } } },
    { id: 'lockstep.stepBackOut', title: 'Step Back Out (to the Call)', request: { command: 'reverseStep' as const, args: { kind: 'out' as const } } },
  ];
}

/** What `describeReply` reads of any of their replies (each a `ReplyBody` of its request). */
type ReplyFacts = Partial<ReplyBody<'injectFault'>> & { same?: boolean; instret?: number; nowNs?: number };

/** What the user should know of the session when a request answered. */
export interface ReplyContext {
  /** The session is stopped: an injected fault fires at the present, so it shows once the run resumes. */
  paused?: boolean;
}

/** A fault as the user reads it: `partition host-a | host-b, host-c`, `hostCrash on @primary`, `loggingLinkDown (kv-2)`. */
function faultText(args: InjectFaultArgs): string {
  if (args.kind === 'partition' && args.groups !== undefined) return `partition ${args.groups.map((g) => g.join(', ')).join(' | ')}`;
  return `${args.kind}${args.host ? ` on ${args.host}` : ''}${args.vm === undefined ? '' : ` (${args.vm})`}`;
}

/** One line for the user after a custom request answered (the adapter also writes to the Debug Console); a VM of a cluster is named. */
export function describeReply(req: CustomRequest, body: ReplyFacts | undefined, ctx: ReplyContext = {}): string {
  const at = typeof body?.atNs === 'number' ? ` at ${(body.atNs / 1e6).toFixed(3)} ms` : '';
  switch (req.command) {
    case 'ftAction': return `Lockstep: ${req.args.action}${req.args.vm === undefined ? '' : ` on ${req.args.vm}`} takes effect${at}: continue or step to see it.`;
    case 'injectFault': return `Lockstep: ${faultText(req.args)} injected${at}.${ctx.paused === true ? ' The cluster is paused: the fault takes effect when the run resumes (Continue or a step).' : ''}`;
    case 'reverseStep': return `Lockstep: stepped back (${req.args.kind ?? 'over'})${typeof body?.nowNs === 'number' ? ` to ${(body.nowNs / 1e6).toFixed(3)} ms` : ''}.`;
    case 'findDivergence': {
      const of = req.args.vm === undefined ? '' : `${req.args.vm}: `;
      return body?.same === true ? `Lockstep: ${of}primary and secondary never differ.` : `Lockstep: ${of}first difference at instruction ${String(body?.instret)}.`;
    }
  }
}

/** Faults that concern the FT pair's logging link when they name no host. */
const PAIR_LINK_FAULTS: readonly InjectFaultArgs['kind'][] = ['loggingLinkDown', 'loggingLinkUp', 'linkDegrade'];

/** Which VMs of a cluster a fault may concern: its @primary (any VM), its @secondary or its pair's link (FT VMs), or no one VM. */
function faultScope(f: InjectFaultArgs): VmScope | null {
  const refs = [f.host, ...(f.groups ?? []).flat()];
  if (refs.includes('@secondary') || (f.host === undefined && f.groups === undefined && PAIR_LINK_FAULTS.includes(f.kind))) return 'ft';
  return refs.includes('@primary') ? 'any' : null;
}

/**
 * Which VMs of a cluster a request may be sent for (the user picks one): FT actions and the divergence search need a
 * pair; null: the request concerns no one VM (a host's fault, a partition, a step) or already names one.
 */
export function vmScope(req: CustomRequest): VmScope | null {
  if (req.command === 'reverseStep' || req.args.vm !== undefined) return null;
  return req.command === 'injectFault' ? faultScope(req.args) : 'ft';
}

/** The request for VM `vm` of a cluster (undefined: as it is, for the only VM or the first). */
export function withVm(req: CustomRequest, vm: string | undefined): CustomRequest {
  if (vm === undefined || vmScope(req) === null) return req;
  return { ...req, args: { ...req.args, vm } } as CustomRequest;
}

/** What a request does, in a few words (the VM quick pick's prompt): `testFailover`, `hostCrash on @primary`. */
export function requestText(req: CustomRequest): string {
  switch (req.command) {
    case 'ftAction': return req.args.action;
    case 'injectFault': return faultText(req.args);
    case 'findDivergence': return 'the first divergence';
    case 'reverseStep': return `step back (${req.args.kind ?? 'over'})`;
  }
}

/**
 * A full partition (the FT layer cuts the management and the logging network together): `side` against every other
 * host, in the shape scenarios use (`groups`). Undefined when either side would be empty.
 */
export function partitionRequest(side: readonly string[], hosts: readonly string[]): CustomRequest<'injectFault'> | undefined {
  const one = hosts.filter((h) => side.includes(h));
  const rest = hosts.filter((h) => !side.includes(h));
  if (one.length === 0 || rest.length === 0) return undefined;
  return { command: 'injectFault', args: { kind: 'partition', groups: [one, rest] } };
}

/** A Hosts-view context-menu command: one fault on the host of the tree item it is invoked on. */
export interface HostCommand {
  id: string;
  title: string;
  request(host: string): CustomRequest<'injectFault'>;
}

const HOST_FAULTS: [string, string, Omit<InjectFaultArgs, 'host'>][] = [
  ['crash', 'Crash Host', { kind: 'hostCrash' }],
  ['restore', 'Restore Host', { kind: 'hostRestore' }],
  ['storageLoss', 'Shared Storage Lost on Host', { kind: 'storageLoss' }],
  ['storageRestore', 'Shared Storage Restored on Host', { kind: 'storageRestore' }],
  ['slow', 'Slow Host (×0.25)', { kind: 'slowHost', factor: 0.25 }],
];

export function hostCommands(): HostCommand[] {
  return HOST_FAULTS.map(([id, title, fault]) => ({
    id: `lockstep.host.${id}`, title, request: (host: string) => ({ command: 'injectFault' as const, args: { ...fault, host } }),
  }));
}

/** One entry of the debug toolbar's "Lockstep…" quick pick: a command contributed in package.json. */
export interface MenuEntry {
  command: string;
  title: string;
}

/** What the toolbar's one Lockstep button offers, most used first. */
export function lockstepMenu(): MenuEntry[] {
  return [
    { command: 'lockstep.compareVms', title: 'Compare Primary and Secondary' },
    { command: 'lockstep.showTimeline', title: 'Show Timeline' },
    { command: 'lockstep.injectFault', title: 'Inject Fault…' },
    { command: 'lockstep.ft.testFailover', title: 'Test Failover' },
    { command: 'lockstep.fault.crashPrimaryHost', title: "Crash the Primary's Host" },
    { command: 'lockstep.partition', title: 'Partition Hosts…' },
    { command: 'lockstep.ftAction', title: 'Fault Tolerance Action…' },
    { command: 'lockstep.findDivergence', title: 'Find First Divergence' },
    { command: 'lockstep.stepBackInto', title: 'Step Back Into (the Last Call)' },
    { command: 'lockstep.stepBackOut', title: 'Step Back Out (to the Call)' },
  ];
}
