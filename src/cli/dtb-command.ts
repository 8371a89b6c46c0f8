// `lockstep dtb -o FILE.dtb [--ram-mib N] [--bootargs TEXT] [--firmware-kib N] [--dma-at ADDR --dma-kib N] [--initrd-at ADDR --initrd-bytes N]`: writes the device tree of a Lockstep machine, the blob an OS firmware passes its kernel.

import { machineDeviceTree } from '../machine/device-tree';
import { checkOutputFile, type Io, parseIntValue, UsageError, writeFileAtomic } from './io';

export const DTB_USAGE = 'lockstep dtb -o FILE.dtb [--ram-mib N] [--bootargs TEXT] [--firmware-kib N] [--dma-at ADDR --dma-kib N] [--initrd-at ADDR --initrd-bytes N]';
const RAM_MIB_DEFAULT = 64;

interface DtbArgs { output: string; ramMiB: number; bootargs: string; firmwareKiB?: number; dmaBuffer?: { start: number; size: number }; initrd?: { start: number; end: number } }

function parseArgs(argv: string[]): DtbArgs {
  let output: string | undefined;
  let ramMiB = RAM_MIB_DEFAULT;
  let bootargs = '';
  let firmwareKiB: number | undefined;
  let dmaAt: number | undefined, dmaKiB: number | undefined;
  let initrdAt: number | undefined, initrdBytes: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [a, inline] = argv[i].startsWith('--') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = (): string => inline ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : '');
    if (a === '-o') output = value();
    else if (a === '--ram-mib') ramMiB = parseIntValue('--ram-mib', value(), 1, 2048);
    else if (a === '--bootargs') bootargs = inline ?? argv[++i] ?? '';
    else if (a === '--firmware-kib') firmwareKiB = parseIntValue('--firmware-kib', value(), 4, 1024 * 1024);
    else if (a === '--dma-at') dmaAt = parseIntValue('--dma-at', value(), 0, 0xffff_ffff);
    else if (a === '--dma-kib') dmaKiB = parseIntValue('--dma-kib', value(), 4, 1024 * 1024);
    else if (a === '--initrd-at') initrdAt = parseIntValue('--initrd-at', value(), 0, 0xffff_ffff);
    else if (a === '--initrd-bytes') initrdBytes = parseIntValue('--initrd-bytes', value(), 0, 0xffff_ffff);
    else throw new UsageError(`${a.startsWith('-') ? 'unknown option' : 'unexpected argument'} ${a}; usage: ${DTB_USAGE}`);
  }
  if (output === undefined || output.trim() === '') throw new UsageError(`-o needs a file to write; usage: ${DTB_USAGE}`);
  if (firmwareKiB !== undefined && firmwareKiB % 4 !== 0) throw new UsageError(`--firmware-kib ${firmwareKiB}: a multiple of 4 (whole pages)`);
  if ((dmaAt === undefined) !== (dmaKiB === undefined)) throw new UsageError(`--dma-at and --dma-kib go together (the buffer's address and size); usage: ${DTB_USAGE}`);
  const dmaBuffer = dmaAt === undefined || dmaKiB === undefined ? undefined : { start: dmaAt, size: dmaKiB * 1024 };
  if ((initrdAt === undefined) !== (initrdBytes === undefined)) throw new UsageError(`--initrd-at and --initrd-bytes go together (the initramfs's address and size); usage: ${DTB_USAGE}`);
  const initrd = initrdAt === undefined || initrdBytes === undefined || initrdBytes === 0 ? undefined : { start: initrdAt, end: initrdAt + initrdBytes };
  return { output, ramMiB, bootargs, firmwareKiB, dmaBuffer, initrd };
}

/** Exit codes: 0 written, 2 bad options or an unwritable file. */
export function dtbCommand(argv: string[], io: Io): number {
  const args = parseArgs(argv);
  checkOutputFile('-o', args.output);
  let blob: Uint8Array;
  try {
    blob = machineDeviceTree({ ramSize: args.ramMiB * 1024 * 1024, bootargs: args.bootargs, firmwareBytes: args.firmwareKiB === undefined ? undefined : args.firmwareKiB * 1024, dmaBuffer: args.dmaBuffer, initrd: args.initrd });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  writeFileAtomic(args.output, blob);
  io.stdout(`${args.output}: device tree of a machine with ${args.ramMiB} MiB of RAM, ${blob.length} bytes\n`);
  return 0;
}
