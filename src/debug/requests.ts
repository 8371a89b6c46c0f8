// The custom-request contract of the adapter: for each custom request (`timeline`, `seek`, …) its arguments and
// reply body, and the body of the custom event `lockstep.clusterEvent`. Written once as runtime shapes whose static
// types are the contract: the adapter builds its replies as these types, the Debug Console formats them, the
// extension reads them, and the contract test checks real replies against the same shapes.
//
// No runtime imports: the extension bundles this module without pulling in any other adapter code, and the Timeline
// page's program (DOM, no Node) compiles it for its types. So the kinds, roles and statuses below are listed here,
// not imported from src/ft; test/debug/contract.test.ts fails to compile when they and the simulator's differ.

// ---- shapes ------------------------------------------------------------------------------------------

/** A runtime check of a JSON value whose static type is `T`. */
export interface Shape<T> {
  /** Adds a line per problem of `v` (each starting with `path`) to `out`. */
  check(v: unknown, path: string, out: string[]): void;
  /** Never set: carries `T` for `Infer`. */
  readonly type?: T;
}

/** A property that may be absent (or undefined) in an `obj`. */
export interface OptionalShape<T> extends Shape<T> {
  readonly optional: true;
}

/** The static type a shape checks. */
export type Infer<S> = S extends Shape<infer T> ? T : never;

type Fields = Record<string, Shape<unknown>>;
type Flat<T> = { [K in keyof T]: T[K] } & {};
type ObjectOf<F extends Fields> = Flat<
  { [K in keyof F as F[K] extends OptionalShape<unknown> ? never : K]: Infer<F[K]> } &
  { [K in keyof F as F[K] extends OptionalShape<unknown> ? K : never]?: Infer<F[K]> }
>;

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v === 'object' ? 'an object' : String(v));

function leaf<T>(what: string, ok: (v: unknown) => boolean): Shape<T> {
  return { check: (v, path, out) => { if (!ok(v)) out.push(`${path}: expected ${what}, got ${describe(v)}`); } };
}

export const num: Shape<number> = leaf('a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
export const int: Shape<number> = leaf('an integer', (v) => Number.isInteger(v));
export const str: Shape<string> = leaf('a string', (v) => typeof v === 'string');
export const bool: Shape<boolean> = leaf('a boolean', (v) => typeof v === 'boolean');

/** One of the given strings (or booleans). */
export function oneOf<const L extends readonly (string | boolean)[]>(...values: L): Shape<L[number]> {
  return leaf(values.map((x) => JSON.stringify(x)).join(' | '), (v) => values.includes(v as L[number]));
}

export function nullable<T>(s: Shape<T>): Shape<T | null> {
  return { check: (v, path, out) => { if (v !== null) s.check(v, path, out); } };
}

export function optional<T>(s: Shape<T>): OptionalShape<T> {
  return { optional: true, check: s.check };
}

export function array<T>(item: Shape<T>): Shape<T[]> {
  return {
    check: (v, path, out) => {
      if (!Array.isArray(v)) out.push(`${path}: expected an array, got ${describe(v)}`);
      else v.forEach((x, i) => item.check(x, `${path}[${i}]`, out));
    },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A plain object with exactly these properties (an unexpected one is a problem too: the contract names every key). */
export function obj<F extends Fields>(fields: F): Shape<ObjectOf<F>> {
  return {
    check: (v, path, out) => {
      if (!isRecord(v)) {
        out.push(`${path}: expected an object, got ${describe(v)}`);
        return;
      }
      for (const [k, s] of Object.entries(fields)) {
        if (v[k] === undefined) {
          if (!(s as Partial<OptionalShape<unknown>>).optional) out.push(`${path}.${k}: missing`);
        } else s.check(v[k], `${path}.${k}`, out);
      }
      for (const k of Object.keys(v)) if (!Object.hasOwn(fields, k) && v[k] !== undefined) out.push(`${path}.${k}: not in the contract`);
    },
  };
}

/** An object whose keys are free and whose values all have one shape. */
export function record<T>(value: Shape<T>): Shape<Record<string, T>> {
  return {
    check: (v, path, out) => {
      if (!isRecord(v)) out.push(`${path}: expected an object, got ${describe(v)}`);
      else for (const [k, x] of Object.entries(v)) value.check(x, `${path}.${k}`, out);
    },
  };
}

/** Either shape; the problems reported are those of the alternative with the fewest. */
export function either<A, B>(a: Shape<A>, b: Shape<B>): Shape<A | B> {
  return {
    check: (v, path, out) => {
      const pa: string[] = [];
      a.check(v, path, pa);
      if (pa.length === 0) return;
      const pb: string[] = [];
      b.check(v, path, pb);
      if (pb.length === 0) return;
      out.push(...(pa.length <= pb.length ? pa : pb));
    },
  };
}

/** Every problem of `v` against `shape`, one line each with the path (`body.events[3].kind: …`); empty when it conforms. */
export function problems(shape: Shape<unknown>, v: unknown, path = 'body'): string[] {
  const out: string[] = [];
  shape.check(v, path, out);
  return out;
}

// ---- vocabulary ----------------------------------------------------------------------------------------

/** src/ft/sim/trace.ts `TraceKind`. */
export const TRACE_KINDS = ['fault', 'crash', 'detect', 'arbitrate', 'halt', 'goLive', 'respawnStart', 'respawnDone', 'haRestart', 'migrate', 'state',
  'release', 'throttle', 'divergence', 'exit', 'violation'] as const;
/** src/ft/scenario.ts `FaultKind`. */
export const FAULT_KINDS = ['hostCrash', 'hostRestore', 'loggingLinkDown', 'loggingLinkUp', 'linkDegrade', 'partition', 'heal',
  'storageLoss', 'storageRestore', 'slowHost', 'testFailover', 'testRestartSecondary', 'turnOffFT', 'turnOnFT', 'suspendFT', 'resumeFT',
  'migrate', 'migrateSecondary'] as const;
/** vSphere's FT actions (src/debug/runtime.ts `FT_ACTIONS`): the fault kinds `ftAction` takes. */
export const FT_ACTIONS = ['testFailover', 'testRestartSecondary', 'turnOffFT', 'turnOnFT', 'suspendFT', 'resumeFT', 'migrateSecondary'] as const;
/** src/ft/protocol/vm.ts `VmRole` and `VmStatus`. */
export const VM_ROLES = ['primary', 'secondary'] as const;
export const VM_STATUSES = ['copying', 'running', 'halted', 'crashed', 'exited', 'fatal', 'diverged'] as const;
export const CHECKPOINT_OPS = ['create', 'list', 'jump', 'delete'] as const;
/** The FT state `hosts` gives a VM of a cluster that its scenario never makes fault tolerant (`ft: false`). */
export const FT_OFF = 'FT off';

export type TraceKind = (typeof TRACE_KINDS)[number];
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FtActionName = (typeof FT_ACTIONS)[number];
export type VmRole = (typeof VM_ROLES)[number];
export type VmStatus = (typeof VM_STATUSES)[number];

// ---- shared pieces -------------------------------------------------------------------------------------

/** A cluster trace event (src/ft/sim/trace.ts `TraceEvent`): `timeline`'s events and the `lockstep.clusterEvent` body. */
const clusterEvent = obj({
  timeNs: num,
  kind: oneOf(...TRACE_KINDS),
  /** VM incarnation id, when the event concerns one VM. */
  vm: optional(int),
  host: optional(str),
  /** The VM it concerns, by name, in a cluster of several VMs. */
  of: optional(str),
  /** One human sentence. */
  text: str,
  data: optional(record(either(either(str, num), bool))),
});

/** A scenario fault (src/ft/scenario.ts `FaultSpec`); `host` may be `@primary`/`@secondary`, resolved when it fires. */
const faultFields = {
  kind: oneOf(...FAULT_KINDS),
  /** The VM it concerns, by name (a cluster of several VMs; default: the first). */
  vm: optional(str),
  host: optional(str),
  groups: optional(array(array(str))),
  factor: optional(num),
  latencyUs: optional(num),
  bandwidthMbps: optional(num),
  lossRate: optional(num),
  when: optional(oneOf('now', 'afterOutput', 'duringRespawn')),
};
const fault = obj({ atMs: num, ...faultFields });

const checkpoints = array(obj({ name: str, nowNs: num }));

const pairSide = obj({ vm: int, name: str, host: str });
const difference = obj({ name: str, primary: str, secondary: str });

/** Both VMs of the pair at the same instruction count (src/debug/inspect.ts `compareVms`). */
const comparison = obj({
  instret: int,
  primary: pairSide,
  secondary: pairSide,
  registers: array(difference),
  csrs: array(difference),
  pages: array(obj({ addr: str, bytesDiffering: int })),
  /** C globals (DWARF) whose values differ, as GDB prints them: what the differing pages mean to the program. */
  globals: array(difference),
  same: bool,
  /** The full state of each VM as text (vm-state-text.ts): equal lines where the VMs agree. */
  primaryText: str,
  secondaryText: str,
});

/** What `compareVMs` does without a pair: an error (the default, as before), or the `noPair` reply. */
export const IF_NO_PAIR = ['error', 'reply'] as const;
/** `compareVMs` without a pair to compare, asked with `ifNoPair: 'reply'`: why, in one line. */
const noPair = obj({ noPair: str });

/** Reply to a fault injection or an FT action: when it takes effect and the fault as validated. */
const scheduledFault = obj({ atNs: num, fault });

const noArgs = obj({});

/** A secondary's lag sampled as the frontier advanced (null: no running pair then). */
const lagSeries = array(obj({ timeNs: num, lagNs: nullable(num) }));

/** Faults (scenario or injected) the explored history has not reached yet. */
const scheduledList = array(obj({ atNs: num, kind: oneOf(...FAULT_KINDS), host: optional(str), text: str }));

/** How `reverseStep` goes back. */
export const REVERSE_STEP_KINDS = ['over', 'in', 'out', 'instruction'] as const;

// ---- the requests ----------------------------------------------------------------------------------------

/** Each custom request's argument and reply-body shapes. */
export const CUSTOM_REQUESTS = {
  /**
   * A scenario fault, now (`atMs` is ignored: a fault injected from the debugger fires at the present). `vm`: the VM of
   * a cluster whose @primary/@secondary it strikes, or whose logging link a link fault naming no host cuts (default: the first).
   */
  injectFault: { args: obj({ atMs: optional(num), ...faultFields }), body: scheduledFault },
  /** One of vSphere's FT actions, now; `vm`: the VM of a cluster it concerns, by name (default: the first). */
  ftAction: { args: obj({ action: oneOf(...FT_ACTIONS), vm: optional(str) }), body: scheduledFault },
  /**
   * The first instruction count at which primary and secondary differ (the secondary stops there), or none. `vm`: the
   * VM of a cluster whose pair to search, by name (default: the first shown VM); it need not be shown as threads.
   */
  findDivergence: {
    args: obj({ vm: optional(str) }),
    body: either(obj({ same: oneOf(true) }), obj({ same: oneOf(false), instret: int, differences: comparison })),
  },
  /**
   * Primary vs secondary at the same instruction count; `dumpPages` (0–64) differing RAM pages dumped as hex in the texts.
   * Without a pair to compare (no secondary now, or one still being copied) it is an error, or with `ifNoPair: 'reply'`
   * the reply `{noPair}`: one line saying why, to show quietly (a Compare tab open across a failover). The VM whose
   * pair to compare, in a cluster of several VMs (default: the first shown VM): `vm`, by name (any VM: the cluster runs
   * them all, shown as threads or not), or `threadId`, a thread of a shown VM; not both.
   */
  compareVMs: { args: obj({ dumpPages: optional(int), ifNoPair: optional(oneOf(...IF_NO_PAIR)), threadId: optional(int), vm: optional(str) }), body: either(comparison, noPair) },
  /** Time travel: to a time, to an instruction count of a VM, or to the n-th cluster event of a kind. `nowNs`: where it goes. */
  seek: {
    args: either(obj({ timeMs: num }), either(obj({ vm: int, instret: int }), obj({ event: oneOf(...TRACE_KINDS), n: optional(int) }))),
    body: obj({ nowNs: num }),
  },
  /**
   * Back one step on a thread (default: the VM last stopped in): `over` (as DAP's stepBack), `in` (to the last
   * line run, even in a callee), `out` (to the call of the current function) or one `instruction`. The reply
   * comes when the travel is done (`nowNs`: where it landed), then `invalidated` and `stopped`.
   */
  reverseStep: { args: obj({ kind: optional(oneOf(...REVERSE_STEP_KINDS)), threadId: optional(int) }), body: obj({ nowNs: num }) },
  /** Named checkpoints (`op` defaults to `list`); the reply lists them after the operation. */
  checkpoint: { args: obj({ op: optional(oneOf(...CHECKPOINT_OPS)), name: optional(str) }), body: obj({ checkpoints }) },
  /** The explored history and where the cluster is now: the Timeline's data. */
  timeline: {
    args: noArgs,
    body: obj({
      nowNs: num,
      frontierNs: num,
      endNs: num,
      /** The FT protection label ("Protected", "Not Protected (Starting)", …). */
      protection: str,
      hosts: array(obj({ name: str, up: bool, mips: num, slowFactor: num })),
      /** The VM incarnations alive now; `of`: the VM's name in a cluster of several VMs (as in events). */
      vms: array(obj({ id: int, role: oneOf(...VM_ROLES), host: str, status: oneOf(...VM_STATUSES), instret: int, lagNs: num, held: int, of: optional(str) })),
      /** The explored history, also after going back in time. */
      events: array(clusterEvent),
      /** The secondary's lag sampled as the frontier advanced (null: no running pair then). */
      lag: lagSeries,
      /** A cluster of several VMs: the VM whose lag `lag` is (the focused one). */
      lagOf: optional(str),
      /** A cluster of several VMs: the lag of each fault-tolerant VM (and of the focused one), by VM name. */
      lagByVm: optional(array(obj({ vm: str, samples: lagSeries }))),
      /**
       * Bytes each host's FT logging NIC had sent (`bytes[i]`: `hosts[i]`), sampled with the lag; `nicMbps`: the NIC's
       * bandwidth every FT VM on the host shares (null: the links' alone).
       */
      loggingNic: obj({ hosts: array(obj({ name: str, nicMbps: nullable(num) })), samples: array(obj({ timeNs: num, bytes: array(num) })) }),
      /** Faults (scenario or injected) the explored history has not reached yet. */
      scheduled: scheduledList,
      /** Every VM's failovers by go-live time (`of`: the VM, in a cluster of several). */
      failovers: array(obj({ failedAtNs: num, detectedAtNs: nullable(num), liveAtNs: num, fromHost: nullable(str), toHost: str, instret: int, of: optional(str) })),
      checkpoints,
    }),
  },
  /** Every host with the VM incarnations on it (dead ones too), and the links of each pair of hosts. */
  hosts: {
    args: noArgs,
    body: obj({
      nowNs: num,
      /** The FT protection label (of the first shown VM in a cluster of several). */
      ftState: str,
      hosts: array(obj({
        name: str, family: str, up: bool, slowFactor: num, storageReachable: bool,
        /** `vm`: the VM's name (a cluster of several VMs); `ftState`: that VM's FT protection label (FT_OFF for an ordinary VM of a cluster). */
        /** `demandMips`: the instance's CPU demand DRS measured (instructions per µs over its last look; DRS on in a cluster). */
        vms: array(obj({ id: int, name: str, role: oneOf(...VM_ROLES), status: oneOf(...VM_STATUSES), vm: optional(str), ftState: str, demandMips: optional(num) })),
        /** The host's load as DRS weighs it (fractions: CPU demand over speed, VMs' RAM over the host's); absent: DRS off, one VM, or the host down. */
        load: optional(obj({ cpu: num, mem: num })),
        /** FT instances (primaries and secondaries) alive on the host. */
        ftVms: int,
        /** Bytes the host's FT logging NIC has sent. */
        loggingBytes: num,
        /** The logging NIC's bandwidth (Mbit/s) every FT VM on the host shares; null: the links' alone. */
        loggingNicMbps: nullable(num),
      })),
      /** `up` is whether the two hosts can talk on that network now (a partition shows as down). */
      links: array(obj({
        a: str, b: str,
        logging: obj({ up: bool, latencyUs: num, lossRate: num }),
        management: obj({ up: bool }),
      })),
      /** Faults not taken effect yet, as `timeline`'s `scheduled` (one injected while stopped is here until the cluster runs on). */
      scheduled: optional(scheduledList),
    }),
  },
} as const satisfies Record<string, { args: Shape<unknown>; body: Shape<unknown> }>;

/** The custom event the adapter sends as cluster changes happen. */
export const CLUSTER_EVENT = 'lockstep.clusterEvent';
export const CLUSTER_EVENT_BODY = clusterEvent;

// ---- the types -------------------------------------------------------------------------------------------

export type CustomRequestName = keyof typeof CUSTOM_REQUESTS;

/** `{ injectFault: { args: …; body: … }; … }`: every custom request's arguments and reply body. */
export type CustomRequests = { [K in CustomRequestName]: { args: Infer<(typeof CUSTOM_REQUESTS)[K]['args']>; body: Infer<(typeof CUSTOM_REQUESTS)[K]['body']> } };
export type RequestArgs<K extends CustomRequestName> = CustomRequests[K]['args'];
export type ReplyBody<K extends CustomRequestName> = CustomRequests[K]['body'];

// Names for the types the code passes around (the rest are `RequestArgs<K>` and `ReplyBody<K>`).
export interface ClusterEventBody extends Infer<typeof clusterEvent> {}
export interface FaultSpecBody extends Infer<typeof fault> {}
export interface InjectFaultArgs extends RequestArgs<'injectFault'> {}
export interface CompareVmsReply extends Infer<typeof comparison> {}
export interface CompareNoPairReply extends Infer<typeof noPair> {}
export interface TimelineReply extends ReplyBody<'timeline'> {}
export interface HostsReply extends ReplyBody<'hosts'> {}

/** Problems of a reply body against the contract (empty: it conforms). */
export function replyProblems(command: CustomRequestName, body: unknown): string[] {
  return problems(CUSTOM_REQUESTS[command].body, body);
}

/** Problems of a request's arguments against the contract (absent arguments are `{}`). */
export function argsProblems(command: CustomRequestName, args: unknown): string[] {
  return problems(CUSTOM_REQUESTS[command].args, args ?? {}, 'arguments');
}
