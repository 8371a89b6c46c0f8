// Source path handling for line tables: join directory + file name, normalise, compare file identities.

/** True for `/x`, `\x`, `C:\x`, `C:/x`. */
export function isAbsolutePath(p: string): boolean {
  return /^([A-Za-z]:)?[\\/]/.test(p);
}

/** Collapses `.` and `x/..` segments and duplicate separators; keeps a leading `/` or drive; uses `/`. */
export function normalizePath(p: string): string {
  const abs = isAbsolutePath(p);
  const drive = /^[A-Za-z]:/.test(p) ? p.slice(0, 2) : '';
  const parts = p.slice(drive.length).split(/[\\/]/);
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part === '..' && abs) continue;
    else out.push(part);
  }
  const body = out.join('/');
  if (abs) return `${drive}/${body}`;
  return body === '' ? '.' : body;
}

/** `name` if absolute (or `dir` empty), else `dir/name`; normalised. */
export function joinPath(dir: string, name: string): string {
  if (name === '') return dir === '' ? '' : normalizePath(dir);
  if (dir === '' || isAbsolutePath(name)) return normalizePath(name);
  return normalizePath(`${dir}/${name}`);
}

/**
 * Whether two paths name the same source file: equal after normalisation, or one is relative and
 * matches the other's trailing path components (`src/a.c` matches `/home/x/src/a.c`).
 */
export function sameSourceFile(a: string, b: string): boolean {
  const na = normalizePath(a);
  const nb = normalizePath(b);
  if (na === nb) return true;
  const aAbs = isAbsolutePath(na);
  const bAbs = isAbsolutePath(nb);
  if (aAbs && bAbs) return false;
  const [shorter, longer] = na.length <= nb.length ? [na, nb] : [nb, na];
  if (isAbsolutePath(shorter) || shorter.startsWith('..')) return false;
  return longer.endsWith(`/${shorter}`);
}
