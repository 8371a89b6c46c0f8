// What a consumer asks of a DWARF type: its C name (as GDB prints it) and its size in bytes.

import type { DwarfType } from './dwarf-types';

/** Deepest declarator printed or size computed (types are acyclic except through struct members). */
const MAX_DEPTH = 32;

/** The C spelling of a type: `const char *`, `int [2][3]`, `int (*)(int, const char *)`, `struct node`. */
export function typeName(t: DwarfType | undefined): string {
  return declarator(t, '', 0);
}

/** Size in bytes; undefined for void, functions, incomplete types and arrays of unknown bound. */
export function typeSize(t: DwarfType | undefined, depth = 0): number | undefined {
  if (t === undefined || depth > MAX_DEPTH) return undefined;
  switch (t.kind) {
    case 'base': case 'pointer': case 'enum': return t.size;
    case 'struct': case 'union': case 'class': return t.size;
    case 'typedef': case 'qualified': return typeSize(t.target, depth + 1);
    case 'array': {
      const element = typeSize(t.element, depth + 1);
      return element === undefined || t.count === undefined ? undefined : element * t.count;
    }
    default: return undefined;
  }
}

/** `t` declaring `inner` (a declarator such as `*`, `[3]` or `(*)`). */
function declarator(t: DwarfType | undefined, inner: string, depth: number): string {
  if (depth > MAX_DEPTH) return withInner('…', inner);
  if (t === undefined) return withInner('void', inner);
  switch (t.kind) {
    case 'pointer': {
      const star = `${t.reference ? '&' : '*'}${/^[a-z]/.test(inner) ? ' ' : ''}${inner}`;
      const target = t.target?.kind === 'array' || t.target?.kind === 'function' ? `(${star})` : star;
      return declarator(t.target, target, depth + 1);
    }
    case 'qualified': {
      const quals: string[] = [];
      let under: DwarfType | undefined = t;
      for (; under?.kind === 'qualified' && quals.length <= MAX_DEPTH; under = under.target) quals.push(under.qualifier);
      return under?.kind === 'pointer'
        ? declarator(under, withInner(quals.join(' '), inner), depth + 1)
        : `${quals.join(' ')} ${declarator(under, inner, depth + 1)}`;
    }
    case 'array':
      return declarator(t.element, `${inner}[${t.count ?? ''}]`, depth + 1);
    case 'function':
      return declarator(t.returnType, `${inner}(${params(t.params, t.variadic, t.prototyped, depth)})`, depth + 1);
    default:
      return withInner(plainName(t), inner);
  }
}

function params(list: DwarfType[], variadic: boolean, prototyped: boolean, depth: number): string {
  const names = list.map((p) => declarator(p, '', depth + 1));
  if (variadic) names.push('...');
  return names.length === 0 && prototyped ? 'void' : names.join(', ');
}

function plainName(t: DwarfType): string {
  switch (t.kind) {
    case 'base': case 'typedef': return t.name;
    case 'struct': case 'union': case 'class': return `${t.kind} ${t.name ?? '{...}'}`;
    case 'enum': return `enum ${t.name ?? '{...}'}`;
    case 'unknown': return t.name ?? `<unknown type: ${t.reason}>`;
    default: return '?';
  }
}

function withInner(base: string, inner: string): string {
  return inner === '' ? base : `${base} ${inner}`;
}
