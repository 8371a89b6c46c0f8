// Conditional assembly: .if/.ifdef/.ifndef/.ifeq/.ifne/.elseif/.else/.endif, evaluated when reached (like GNU as).
import type { Assembler } from './assembler';
import { Token } from './lexer';
import { AsmError } from './types';

interface Frame {
  /** Some branch of this .if chain has been taken already. */
  taken: boolean;
  /** Statements are currently being assembled. */
  active: boolean;
  /** The enclosing frame was active. */
  parentActive: boolean;
  head: Token;
}

const OPENERS = new Set(['.if', '.ifdef', '.ifndef', '.ifeq', '.ifne', '.ifgt', '.ifge', '.iflt', '.ifle']);

export class Conditionals {
  private stack: Frame[] = [];

  get active(): boolean {
    return this.stack.length === 0 || this.stack[this.stack.length - 1].active;
  }

  /** Handles a conditional directive; returns false when `name` is not one. */
  handle(a: Assembler, name: string, head: Token, args: Token[]): boolean {
    if (OPENERS.has(name)) {
      const parentActive = this.active;
      const frame: Frame = { taken: true, active: false, parentActive, head };
      this.stack.push(frame); // pushed first so a bad condition does not unbalance .endif
      const cond = parentActive && this.condition(a, name, head, args);
      frame.taken = frame.active = cond;
      return true;
    }
    if (name !== '.else' && name !== '.elseif' && name !== '.endif') return false;
    const top = this.stack[this.stack.length - 1];
    if (!top) throw new AsmError(`\`${head.text}' without .if`, head);
    if (name === '.endif') this.stack.pop();
    else {
      const cond = top.parentActive && !top.taken && (name === '.else' || this.condition(a, '.if', head, args));
      top.active = cond;
      top.taken ||= cond;
    }
    return true;
  }

  /** Reports .if blocks left open at the end of the source. */
  finish(a: Assembler): void {
    for (const f of this.stack) a.error(`\`${f.head.text}' without .endif`, f.head);
    this.stack = [];
  }

  private condition(a: Assembler, name: string, head: Token, args: Token[]): boolean {
    if (name === '.ifdef' || name === '.ifndef') {
      if (args.length !== 1 || args[0].kind !== 'ident') throw new AsmError(`${name} needs a symbol name`, args[0] ?? head);
      const s = a.syms.get(args[0].text);
      return (s !== undefined && (s.label !== undefined || s.equ !== undefined)) === (name === '.ifdef');
    }
    const v = a.constValue(a.parseWhole(args, 0, head));
    if (v === undefined) throw new AsmError(`${name} needs a constant expression`, args[0] ?? head);
    switch (name) {
      case '.ifeq': return v === 0n;
      case '.ifgt': return v > 0n;
      case '.ifge': return v >= 0n;
      case '.iflt': return v < 0n;
      case '.ifle': return v <= 0n;
      default: return v !== 0n;
    }
  }
}
