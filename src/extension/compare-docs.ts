// Pure logic of the primary-vs-secondary diff editor (no `vscode` import, unit-tested): document paths, title and contents from a `compareVMs` reply.

/** URI scheme of the two read-only documents (`lockstep-vm:/primary@host-a.txt`). */
export const VM_SCHEME = 'lockstep-vm';
/** Differing RAM pages the documents dump as hex lines (the adapter accepts up to 64). */
export const DIFF_DUMP_PAGES = 16;

export type Role = 'primary' | 'secondary';

interface Side { vm: number; name: string; host: string }

/** The part of the adapter's `compareVMs` reply the documents use. */
export interface CompareBody {
  instret: number;
  same: boolean;
  primary: Side;
  secondary: Side;
  primaryText: string;
  secondaryText: string;
}

/** What the documents show: both VMs' state, or why there is none (no pair, session ended…). */
export type Snapshot = { kind: 'pair'; body: CompareBody } | { kind: 'none'; reason: string };

const HOST = '[A-Za-z0-9_.-]{1,32}';
const PATH = new RegExp(`^/(primary|secondary)@(${HOST})\\.txt$`);

export function docPath(role: Role, host: string): string {
  return `/${role}@${host}.txt`;
}

export function parseDocPath(path: string): { role: Role; host: string } | undefined {
  const m = PATH.exec(path);
  return m === null ? undefined : { role: m[1] as Role, host: m[2] };
}

/** Paths of the two documents of a reply: the primary's first (the diff's left side). */
export function docPaths(body: CompareBody): [string, string] {
  return [docPath('primary', body.primary.host), docPath('secondary', body.secondary.host)];
}

export function diffTitle(body: CompareBody): string {
  return `Primary @ ${body.primary.host} ↔ Secondary @ ${body.secondary.host} (instret ${body.instret})`;
}

const isSide = (x: unknown): x is Side => {
  const s = x as Side | null;
  return typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.host === 'string' && new RegExp(`^${HOST}$`).test(s.host);
};

/** A `compareVMs` reply as a snapshot; anything not shaped like one is named as the reason there is nothing to show. */
export function snapshotOf(reply: unknown): Snapshot {
  const b = reply as CompareBody | null;
  const ok = typeof b === 'object' && b !== null && Number.isInteger(b.instret) && isSide(b.primary) && isSide(b.secondary)
    && typeof b.primaryText === 'string' && typeof b.secondaryText === 'string';
  return ok ? { kind: 'pair', body: b } : { kind: 'none', reason: `the adapter's compareVMs reply is not understood: ${JSON.stringify(reply)?.slice(0, 200)}` };
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
  if (doc === undefined) return `Not a Lockstep VM document: ${path}\nExpected /primary@HOST.txt or /secondary@HOST.txt.\n`;
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
