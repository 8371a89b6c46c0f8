// Custom requests to the Lockstep adapter, typed by the contract in src/debug/requests.ts (pure: no `vscode` import).
import type { CustomRequestName, ReplyBody, RequestArgs } from '../debug/requests';

/** What a request needs of a debug session (`vscode.DebugSession` has it). */
export interface RequestTarget {
  customRequest(command: string, args?: unknown): PromiseLike<unknown>;
}

/** The arguments of request `K`: optional when it has no required one. */
export type ArgsOf<K extends CustomRequestName> = {} extends RequestArgs<K> ? [args?: RequestArgs<K>] : [args: RequestArgs<K>];

/**
 * Sends custom request `command` and resolves with its reply body. The body is not checked here: the adapter ships
 * with the extension and test/debug/contract.test.ts checks its real replies against the contract's shapes.
 */
export async function request<K extends CustomRequestName>(session: RequestTarget, command: K, ...args: ArgsOf<K>): Promise<ReplyBody<K>> {
  return (await session.customRequest(command, args[0])) as ReplyBody<K>;
}
