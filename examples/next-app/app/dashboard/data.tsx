'use client';

import { useSuspenseQuery } from '@apollo/client/react';
import { ItemDocument, MeDocument } from '../../lib/__generated__/graphql';

/** The signed-in user, from `me`: in the server's HTML already (streamed from server rendering). */
export function Profile() {
  const { data } = useSuspenseQuery(MeDocument);
  return (
    <div>
      <div className="label">Query: me</div>
      <p>
        <strong data-testid="me-name">{data.me.name}</strong>{' '}
        <span className="muted">
          (id <span data-testid="me-id">{data.me.id}</span>)
        </span>
      </p>
    </div>
  );
}

/** An item: preloaded by the page (a server component) with `PreloadQuery`. */
export function ItemCard({ id }: { id: string }) {
  const { data } = useSuspenseQuery(ItemDocument, { variables: { id } });
  return (
    <div>
      <div className="label">Query: item(id: {id})</div>
      <p data-testid="item">
        {data.item.title} · {data.item.price.toFixed(2)}
      </p>
    </div>
  );
}
