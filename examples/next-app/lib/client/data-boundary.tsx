'use client';

import { Component, type ReactNode, Suspense } from 'react';
import { useSession } from './session-context';

class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    if (this.state.error)
      return (
        <p className="error" data-testid="error">
          {this.state.error.message}
        </p>
      );
    return this.props.children;
  }
}

/**
 * Around components that `useSuspenseQuery`: a loading state, an error state, and no query on
 * the server when the server cannot act for the user (no usable token: the browser refreshes
 * first, then queries). Renders the same while hydrating as on the server.
 */
export function DataBoundary({ children, label }: { children: ReactNode; label: string }) {
  const { snapshot, hydrated } = useSession();
  const loading = <p className="muted">loading {label}…</p>;
  if (!hydrated && snapshot?.status !== 'authenticated') return loading;
  return (
    <ErrorBoundary>
      <Suspense fallback={loading}>{children}</Suspense>
    </ErrorBoundary>
  );
}
