// Runs the `lockstep` command in-process for tests, capturing what it prints.

import { main } from '../../src/cli/main';

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTty: false });
  return { code, out, err };
}
