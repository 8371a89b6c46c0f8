// Pure record of which debug sessions are paused (no `vscode` import): from the DAP messages a tracker sees in both directions.

/** Requests after which the adapter runs (until its next `stopped` event). */
const RESUMING = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restartFrame', 'restart']);

/** What a tracker sees of a DAP message. */
export interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
}

export class RunStates {
  private readonly paused = new Map<string, boolean>();

  /** A message the adapter of session `id` sent. */
  fromAdapter(id: string, m: DapMessage): void {
    if (m.type !== 'event') return;
    if (m.event === 'stopped') this.paused.set(id, true);
    else if (m.event === 'continued') this.paused.set(id, false);
    else if (m.event === 'terminated' || m.event === 'exited') this.paused.delete(id);
  }

  /** A message VS Code sent to the adapter of session `id`. */
  toAdapter(id: string, m: DapMessage): void {
    if (m.type === 'request' && m.command !== undefined && RESUMING.has(m.command)) this.paused.set(id, false);
  }

  isPaused(id: string): boolean {
    return this.paused.get(id) === true;
  }

  forget(id: string): void {
    this.paused.delete(id);
  }
}
