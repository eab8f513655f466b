import { isFunction } from '../shared/check.js';

// Looked up by name: a runtime may lack some of them (React Native has no `ReadableStream`).
const REUSABLE_BODIES = ['Blob', 'FormData', 'URLSearchParams', 'ArrayBuffer'];

/**
 * Whether `fetch` can send `body` a second time. A `ReadableStream` (or any other body this does
 * not know) is read as it is sent, so a request carrying it cannot be retried.
 */
export const isResendable = (body: unknown): boolean =>
  body == null ||
  typeof body === 'string' ||
  ArrayBuffer.isView(body) ||
  REUSABLE_BODIES.some((name) => {
    const type = (globalThis as Record<string, unknown>)[name];
    return isFunction(type) && body instanceof type;
  });
