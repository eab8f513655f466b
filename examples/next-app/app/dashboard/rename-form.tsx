'use client';

import { useMutation } from '@apollo/client/react';
import { RenameDocument } from '../../lib/__generated__/graphql';

/** A mutation; the `me` query above updates from the cache. */
export function RenameForm() {
  const [rename, { loading, error }] = useMutation(RenameDocument);
  return (
    <section className="card">
      <div className="label">Mutation: rename</div>
      <form
        className="inline"
        onSubmit={(event) => {
          event.preventDefault();
          const name = new FormData(event.currentTarget).get('name');
          rename({ variables: { name: String(name) } }).catch(() => {});
        }}
      >
        <input name="name" placeholder="New display name" required />
        <button type="submit" disabled={loading}>
          Rename
        </button>
      </form>
      {error && (
        <p className="error" data-testid="error">
          {error.message}
        </p>
      )}
    </section>
  );
}
