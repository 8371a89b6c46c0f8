// The stops of the C debug corpus: for each program, where to stop (in execution order) and which expressions to print there.
//
// Both sides of the C debug comparison use this plan: the GDB oracle (test/helpers/gdb-oracle.ts) and the adapter.
// A location is a function name or a `/* STOP: name */` marker in the source, resolved to `file.c:line`.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR, CORPUS_DIR, elfName, PROGRAMS, VARIANTS, type Program, type Variant } from '../../scripts/c-corpus';

export { PROGRAMS, VARIANTS, type Program, type Variant };

/** A stop: its name, where to break (`ignore` hits passed over first), the function it is in, what to print there. */
export interface CorpusStop { name: string; location: string; ignore?: number; func: string; exprs: string[] }

/** `file.c:line` of the `/* STOP: name *\/` marker in a program's source. */
export function markerLocation(program: Program, marker: string): string {
  const lines = readFileSync(join(CORPUS_DIR, `${program}.c`), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes(`/* STOP: ${marker} */`));
  if (at < 0) throw new Error(`no STOP marker ${marker} in ${program}.c`);
  return `${program}.c:${at + 1}`;
}

/** The committed ELF of a program in a variant. */
export function corpusElf(program: Program, variant: Variant | string): string {
  return join(BUILD_DIR, elfName(program, variant));
}

type Plan = (at: (marker: string) => string) => CorpusStop[];

const PLANS: Record<Program, Plan> = {
  types: (at) => [
    { name: 'structs_entry', location: 'probe_structs', func: 'probe_structs',
      exprs: ['s->box', 'r.max.x - r.min.x', 'pk.length', 'sizeof(struct shape)'] },
    { name: 'structs_body', location: at('structs_body'), func: 'probe_structs',
      exprs: ['g_shape', '*s', 's->box.max.y', 'center.y', '&g_shape.box', 'g_packet', 'g_shape.id.bytes[1]'] },
    { name: 'unions_body', location: at('unions_body'), func: 'probe_unions', exprs: ['copy', '*pw', 'w.half[1]', 'pw->bytes'] },
    { name: 'arrays_entry', location: 'probe_arrays', func: 'probe_arrays', exprs: ['rows', 'm[1][2]', 'row[3]'] },
    { name: 'arrays_body', location: at('arrays_body'), func: 'probe_arrays',
      exprs: ['local2d', 'local2d[1]', 'grid', 'grid[2][1]', 'm[2]', '*row@4', 'g_zeros', 'g_text'] },
    { name: 'scalars_body', location: at('scalars_body'), func: 'probe_scalars',
      exprs: ['a', 'b', 'g_big', 'g_ubig', 'g_short', 'g_uchar', 'g_schar', 's_ushort', 'g_color', 'g_perm', 'col == BLUE', 'neg * 2'] },
  ],
  frames: (at) => [
    { name: 'inline_entry', location: 'probe_inline', func: 'probe_inline', exprs: ['a', 'b'] },
    { name: 'clamp_first', location: at('clamp_body'), func: 'clamp_add', exprs: ['s', 'a + b', 'limit'] },
    { name: 'clamp_second', location: at('clamp_body'), func: 'clamp_add', exprs: ['s', 'limit'] },
    { name: 'walk_third', location: 'walk', ignore: 2, func: 'walk', exprs: ['depth', 'n->value'] },
    { name: 'walk_base', location: at('walk_base'), func: 'walk', exprs: ['*n', 'depth', 'chain', 'chain[1].next->value', 'n->next'] },
    { name: 'add_entry', location: 'add', func: 'add', exprs: ['a', 'b'] },
    { name: 'callback_body', location: at('callback_body'), func: 'probe_callback',
      exprs: ['fn', 'chosen', '*h', 'handlers', 'handlers[1].fn', 'h->name'] },
  ],
  scopes: (at) => [
    { name: 'statics_first', location: at('statics_body'), func: 'probe_statics', exprs: ['counter', 'last', 's_calls'] },
    { name: 'statics_second', location: at('statics_body'), func: 'probe_statics', exprs: ['counter', 'last', 's_calls', 's_greeting'] },
    { name: 'shadow_entry', location: 'probe_shadow', func: 'probe_shadow', exprs: ['x'] },
    { name: 'shadow_inner', location: at('shadow_inner'), func: 'probe_shadow', exprs: ['x', 'y', 'z', 'x + y + z'] },
    { name: 'pointers_body', location: at('pointers_body'), func: 'probe_pointers',
      exprs: ['*a', 'a->peer->owner', 'peer->balance', 'accounts', 'label', 'words[1]', 'first', '*first', 'initial', 'total', 's_greeting'] },
  ],
};

/** The stops of one program, in the order execution reaches them. */
export function corpusStops(program: Program): CorpusStop[] {
  return PLANS[program]((marker) => markerLocation(program, marker));
}
