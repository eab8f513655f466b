/**
 * A clock shared by the test server and the clients: real time plus an offset moved by hand.
 * The offset (whole ms) lives in shared memory, so a server on another thread reads the same time.
 */
export interface Clock {
  now: () => number;
  advance(ms: number): void;
  /** The offset's memory, for `clockOf` on another thread. */
  readonly buffer: SharedArrayBuffer;
}

/** The clock whose offset is `buffer` (a new one at 0 without it). */
export function clockOf(buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)): Clock {
  const offset = new Int32Array(buffer);
  return {
    now: () => Date.now() + Atomics.load(offset, 0),
    advance(ms) {
      Atomics.add(offset, 0, Math.round(ms));
    },
    buffer,
  };
}
