// A hex dump of guest memory as text (address, 16 bytes, their printable characters): the memory view's content, free of `vscode`.

const LINE_BYTES = 16;

/** `0x80001010  01 00 …  |..|` lines, then how many bytes could not be read. */
export function hexDump(addr: number, data: Uint8Array, unreadable: number): string {
  const lines: string[] = [];
  for (let at = 0; at < data.length; at += LINE_BYTES) {
    const row = data.subarray(at, at + LINE_BYTES);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ').padEnd(LINE_BYTES * 3 - 1);
    const text = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`0x${((addr + at) >>> 0).toString(16).padStart(8, '0')}  ${hex}  |${text}|`);
  }
  if (unreadable > 0) lines.push(`(${unreadable} bytes after these are not guest RAM)`);
  return `${lines.join('\n')}\n`;
}
