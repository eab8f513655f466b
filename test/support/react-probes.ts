/** Components that render what the hooks return. */
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
