/** Components that render what the hooks return, and a manager wrapper that counts listeners. */
import { createElement } from 'react';
import { type TokenStateSource, useTokenExpiry, useTokenStatus } from '../../src/react.js';

/** Every value each probe rendered, in order: a re-render shows up as a new entry. */
export type Renders = { status: string[]; expiry: (number | null)[] };

export const newRenders = (): Renders => ({ status: [], expiry: [] });

export function StatusProbe({ manager, renders }: { manager: TokenStateSource; renders: Renders }) {
  const status = useTokenStatus(manager);
  renders.status.push(status);
  return createElement('output', { id: 'status' }, status);
}

export function ExpiryProbe({ manager, renders }: { manager: TokenStateSource; renders: Renders }) {
  const expiry = useTokenExpiry(manager);
  renders.expiry.push(expiry);
  return createElement('output', { id: 'expiry' }, String(expiry));
}

/** Both probes, side by side. */
export const probes = (manager: TokenStateSource, renders: Renders) =>
  createElement(
    'div',
    null,
    createElement(StatusProbe, { manager, renders }),
    createElement(ExpiryProbe, { manager, renders }),
  );

/**
 * The real manager seen through the hooks' structural type, with a count of the listeners
 * currently registered through it (what a leak would leave behind).
 */
export function counted(manager: TokenStateSource) {
  let live = 0;
  const source: TokenStateSource & { readonly live: number } = {
    get status() {
      return manager.status;
    },
    get expiresAt() {
      return manager.expiresAt;
    },
    get live() {
      return live;
    },
    on(event, listener) {
      const unsubscribe = manager.on(event, listener);
      live++;
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        live--;
        unsubscribe();
      };
    },
  };
  return source;
}
