// The parts of the WebAssembly JS API the machine uses (its RAM's memory, translated regions): the project's `lib` is ES2022 without DOM, which declares none of them.

declare namespace WebAssembly {
  interface MemoryDescriptor { initial: number; maximum?: number }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Table {
    constructor(descriptor: { element: 'anyfunc'; initial: number });
    set(index: number, value: unknown): void;
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}
