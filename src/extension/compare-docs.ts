// Pure logic of the primary-vs-secondary diff editor (no `vscode` import, unit-tested): document paths, title and contents from a `compareVMs` reply.
import { CUSTOM_REQUESTS, problems, type CompareVmsReply, type RequestArgs } from '../debug/requests';

/** URI scheme of the two read-only documents (`lockstep-vm:/primary@host-a.txt`; in a cluster `lockstep-vm:/kv-2/primary@esx-3.txt`). */
export const VM_SCHEME = 'lockstep-vm';
/** Differing RAM pages the documents dump as hex lines (the adapter accepts up to 64). */
export const DIFF_DUMP_PAGES = 16;

export type Role = 'primary' | 'secondary';

/**
 * The documents' `compareVMs` arguments: without a pair the adapter answers `{noPair: reason}` instead of an error
 * response, which VS Code would show as an error notification at every stop of a session with an open Compare tab.
 */
export const COMPARE_ARGS: RequestArgs<'compareVMs'> & { ifNoPair?: 'reply' } = { dumpPages: DIFF_DUMP_PAGES, ifNoPair: 'reply' };

/** The documents' `compareVMs` arguments for VM `vm` of a cluster (undefined: the only VM). */
export function compareArgs(vm: string | undefined): RequestArgs<'compareVMs'> {
  return vm === undefined ? COMPARE_ARGS : { ...COMPARE_ARGS, vm };
}

/** What the documents show: both VMs' state, or why there is none (no pair, session ended…). */
export type Snapshot = { kind: 'pair'; body: CompareVmsReply } | { kind: 'none'; reason: string };

const HOST = '[A-Za-z0-9_.-]{1,32}';
/** `/primary@host-a.txt`, or in a cluster `/kv-2/primary@esx-3.txt` (the VM's name URI-encoded: it may hold any character). */
const PATH = new RegExp(`^/(?:([^/]{1,200})/)?(primary|secondary)@(${HOST})\\.txt$`);

/** A document: a role of VM `vm` of a cluster (undefined: the only VM) on a host. */
export interface DocRef {
  vm?: string;
  role: Role;
  host: string;
}

export function docPath(role: Role, host: string, vm?: string): string {
  return `${vm === undefined ? '' : `/${encodeURIComponent(vm)}`}/${role}@${host}.txt`;
}

export function parseDocPath(path: string): DocRef | undefined {
  const m = PATH.exec(path);
  if (m === null) return undefined;
  let vm: string | undefined;
  try {
    vm = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  } catch {
    return undefined; // a broken escape: not a path made by docPath
  }
  return { ...(vm === undefined ? {} : { vm }), role: m[2] as Role, host: m[3] };
}

/** Paths of the two documents of a reply (of VM `vm` of a cluster): the primary's first (the diff's left side). */
export function docPaths(body: CompareVmsReply, vm?: string): [string, string] {
  return [docPath('primary', body.primary.host, vm), docPath('secondary', body.secondary.host, vm)];
}

export function diffTitle(body: CompareVmsReply, vm?: string): string {
  return `${vm === undefined ? '' : `${vm}: `}Primary @ ${body.primary.host} ↔ Secondary @ ${body.secondary.host} (instret ${body.instret})`;
}

const HOST_NAME = new RegExp(`^${HOST}$`);

/**
 * A `compareVMs` reply as a snapshot; anything not shaped like one (the contract's shape, and host names that fit a
 * document path) is named as the reason there is nothing to show.
 */
export function snapshotOf(reply: unknown): Snapshot {
  const noPair = (reply as { noPair?: unknown } | null | undefined)?.noPair;
  if (typeof noPair === 'string') return { kind: 'none', reason: noPair };
  const wrong = problems(CUSTOM_REQUESTS.compareVMs.body, reply);
  const b = reply as CompareVmsReply;
  if (wrong.length === 0) for (const side of ['primary', 'secondary'] as const) if (!HOST_NAME.test(b[side].host)) wrong.push(`body.${side}.host: not a host name`);
  return wrong.length === 0 ? { kind: 'pair', body: b } : { kind: 'none', reason: `the adapter's compareVMs reply is not understood (${wrong[0]}): ${JSON.stringify(reply)?.slice(0, 200)}` };
}

/** A failed `compareVMs` (no pair, the cluster running, the session ending) as the reason the documents show. */
export function failureSnapshot(error: unknown): Snapshot {
  return { kind: 'none', reason: error instanceof Error ? error.message : String(error) };
}

function noPairText(reason: string): string {
  return [
    'Lockstep cannot compare the primary and the secondary right now:',
    `  ${reason}`,
    '',
    'Right after a failover the new primary runs alone until a new secondary has been copied to a free host',
    '(Not Protected (Starting)); with Fault Tolerance off or suspended there may be no secondary at all.',
    'This document refreshes at every stop of the debug session.',
    '',
  ].join('\n');
}

/** The text of the document at `path`: that VM's state, or a message saying why it cannot be shown. */
export function docContent(path: string, snap: Snapshot | undefined): string {
  const doc = parseDocPath(path);
  if (doc === undefined) return `Not a Lockstep VM document: ${path}\nExpected /primary@HOST.txt or /secondary@HOST.txt (in a cluster /VM/primary@HOST.txt).\n`;
  if (snap === undefined) return 'Waiting for the Lockstep debug session to stop…\n';
  if (snap.kind === 'none') return noPairText(snap.reason);
  const { body } = snap;
  const side = body[doc.role];
  if (side.host !== doc.host) {
    return [
      `The ${doc.role} is no longer on ${doc.host}: the pair is now ${body.primary.name} ↔ ${body.secondary.name}.`,
      'Run "Lockstep: Compare Primary and Secondary" again to compare the current pair.',
      '',
    ].join('\n');
  }
  return doc.role === 'primary' ? body.primaryText : body.secondaryText;
}
