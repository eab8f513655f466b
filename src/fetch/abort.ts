/**
 * Settles like `start()`, or rejects with the signal's reason as soon as it aborts, as `fetch`
 * does; an already aborted signal rejects without calling `start`. Unlike the token core's
 * `abortable`, the listener is removed once settled: the signal is the app's and may outlive
 * this call by far (one controller for a whole page).
 */
export const untilAborted = <T>(signal: AbortSignal | null | undefined, start: () => Promise<T>) =>
  signal
    ? new Promise<T>((resolve, reject) => {
        // `reason` is missing on older AbortSignal polyfills (React Native).
        const stop = () =>
          reject(
            signal.reason ??
              Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }),
          );
        if (signal.aborted) return stop();
        signal.addEventListener('abort', stop);
        start()
          .then(resolve, reject)
          .finally(() => signal.removeEventListener('abort', stop));
      })
    : start();
