/** A clock shared by the test server and the clients: real time plus an offset moved by hand. */
export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export function createClock(): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms) {
      offset += ms;
    },
  };
}
