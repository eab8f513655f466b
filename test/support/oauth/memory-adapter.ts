/**
 * oidc-provider's storage for one test server: plain Maps, gone with the server. (Its built-in
 * memory adapter works too, but warns on every construction that it is for development.)
 * Expiry is left to the provider, which checks every artifact's `exp` when it finds one.
 */
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

export function memoryAdapter(): AdapterFactory {
  const records = new Map<string, AdapterPayload>();
  /** Grant id → keys of the tokens and codes issued under it. */
  const grants = new Map<string, Set<string>>();
  /** Session uid → the session's key. */
  const sessionUids = new Map<string, string>();
  /** Device flow user code → key (unused by the tests, part of the interface). */
  const userCodes = new Map<string, string>();

  return (model): Adapter => {
    const key = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload) {
        records.set(key(id), payload);
        if (payload.grantId) {
          const members = grants.get(payload.grantId) ?? new Set();
          members.add(key(id));
          grants.set(payload.grantId, members);
        }
        if (model === 'Session' && payload.uid) sessionUids.set(payload.uid, key(id));
        if (payload.userCode) userCodes.set(payload.userCode, key(id));
      },
      async find(id) {
        return records.get(key(id));
      },
      async findByUid(uid) {
        const found = sessionUids.get(uid);
        return found === undefined ? undefined : records.get(found);
      },
      async findByUserCode(userCode) {
        const found = userCodes.get(userCode);
        return found === undefined ? undefined : records.get(found);
      },
      async consume(id) {
        const record = records.get(key(id));
        if (record) record.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        records.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const member of grants.get(grantId) ?? []) records.delete(member);
        grants.delete(grantId);
      },
    };
  };
}
