// Growing byte buffers: the one rule for writers that append to a Uint8Array (wasm modules, the worker's wire batches).

/** `buf` when `used + more` bytes fit in it, else a buffer of twice the size (or more) holding its first `used` bytes. */
export function withRoom(buf: Uint8Array<ArrayBuffer>, used: number, more: number): Uint8Array<ArrayBuffer> {
  if (used + more <= buf.length) return buf;
  let size = Math.max(1, buf.length) * 2;
  while (size < used + more) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, used));
  return next;
}
