// Completeness of checkpoint state, checked by the compiler: every data field of a class is saved, or named as not saved with a reason.

/** The names of T's public properties that are not methods (fields and getters). */
export type DataKeys<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? never : K }[keyof T];

/** T's data fields that are neither in its saved state nor in its list of fields not saved. */
export type Unsaved<T, State, NotSaved extends string> = Exclude<DataKeys<T>, keyof State | NotSaved>;

/**
 * Compiles only when `Missing` is empty: `export type XAllSaved = AllSaved<Unsaved<X, XState, …>>`
 * fails naming each public field a class gained without its state type. Private fields are not
 * visible here: a test compares the object's own keys at run time (`test/ft/checkpoint.test.ts`).
 */
export type AllSaved<Missing extends never> = Missing;
