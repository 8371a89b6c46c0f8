// Test preload: LOCKSTEP_FASTPATH=0 makes every Cpu run the interpreter only, e.g. `LOCKSTEP_FASTPATH=0 node --import tsx --import ./test/machine/fast-path-env.ts --test test/**/*.test.ts`.

import { Cpu } from '../../src/machine/cpu';

if (process.env.LOCKSTEP_FASTPATH === '0') Cpu.fastPathDefault = false;
