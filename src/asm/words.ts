// One emitted instruction word (2 or 4 bytes) and the encode-then-maybe-compress helper.
import { compress } from './compress';
import { baseOp, encode, Fields } from './encoding';

export interface Emitted {
  w: number;
  n: 2 | 4;
}

/** Encodes one base instruction, compressed when RVC is on and one of `cforms` fits. */
export function word(opName: string, f: Fields, cforms: readonly string[] | undefined, rvc: boolean): Emitted {
  if (rvc && cforms) {
    const c = compress(cforms, opName, f);
    if (c !== null) return { w: c, n: 2 };
  }
  return { w: encode(baseOp(opName), f), n: 4 };
}
