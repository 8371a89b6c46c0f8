// A small JSON Schema checker for the subset our schemas use; errors name the exact key path.

export interface SchemaNode {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean;
  items?: SchemaNode;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  $ref?: string;
  definitions?: Record<string, SchemaNode>;
  [k: string]: unknown;
}

/** Returns a list of problems ("faults[2].kind: must be one of …"); empty when the value conforms. */
export function checkSchema(value: unknown, schema: SchemaNode, root: SchemaNode = schema, path = ''): string[] {
  const node = resolve(schema, root);
  const where = path === '' ? '(top level)' : path;
  if (node.enum !== undefined) {
    return node.enum.includes(value) ? [] : [`${where}: must be one of ${node.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${show(value)}`];
  }
  const typeProblem = checkType(value, node.type, where);
  if (typeProblem !== undefined) return [typeProblem];
  if (typeof value === 'number') return checkNumber(value, node, where);
  if (typeof value === 'string' && node.pattern !== undefined && !new RegExp(node.pattern).test(value)) {
    return [`${where}: ${show(value)} does not match ${node.pattern}`];
  }
  if (Array.isArray(value)) return checkArray(value, node, root, path);
  if (node.type === 'object' && value !== null && typeof value === 'object') return checkObject(value as Record<string, unknown>, node, root, path);
  return [];
}

function resolve(node: SchemaNode, root: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const name = node.$ref.replace('#/definitions/', '');
  const target = root.definitions?.[name];
  if (target === undefined) throw new Error(`schema: unknown $ref ${node.$ref}`);
  return target;
}

function checkType(value: unknown, type: string | undefined, where: string): string | undefined {
  if (type === undefined) return undefined;
  const ok =
    type === 'integer' ? Number.isInteger(value)
    : type === 'number' ? typeof value === 'number' && Number.isFinite(value)
    : type === 'array' ? Array.isArray(value)
    : type === 'object' ? value !== null && typeof value === 'object' && !Array.isArray(value)
    : typeof value === type;
  return ok ? undefined : `${where}: must be ${type === 'integer' ? 'an integer' : `a${/^[aeiou]/.test(type) ? 'n' : ''} ${type}`}, got ${show(value)}`;
}

function checkNumber(value: number, node: SchemaNode, where: string): string[] {
  if (node.minimum !== undefined && value < node.minimum) return [`${where}: must be at least ${node.minimum}, got ${value}`];
  if (node.maximum !== undefined && value > node.maximum) return [`${where}: must be at most ${node.maximum}, got ${value}`];
  return [];
}

function checkArray(value: unknown[], node: SchemaNode, root: SchemaNode, path: string): string[] {
  const where = path === '' ? '(top level)' : path;
  if (node.minItems !== undefined && value.length < node.minItems) return [`${where}: needs at least ${node.minItems} items, has ${value.length}`];
  if (node.maxItems !== undefined && value.length > node.maxItems) return [`${where}: allows at most ${node.maxItems} items, has ${value.length}`];
  if (node.items === undefined) return [];
  return value.flatMap((item, i) => checkSchema(item, node.items!, root, `${path}[${i}]`));
}

function checkObject(value: Record<string, unknown>, node: SchemaNode, root: SchemaNode, path: string): string[] {
  const problems: string[] = [];
  const props = node.properties ?? {};
  for (const key of node.required ?? []) {
    if (!(key in value)) problems.push(`${join(path, key)}: is required`);
  }
  for (const [key, v] of Object.entries(value)) {
    const sub = props[key];
    if (sub === undefined) {
      if (node.additionalProperties === false) problems.push(`${join(path, key)}: unknown key (known: ${Object.keys(props).join(', ')})`);
      continue;
    }
    problems.push(...checkSchema(v, sub, root, join(path, key)));
  }
  return problems;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
