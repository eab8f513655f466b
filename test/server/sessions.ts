import { randomUUID } from 'node:crypto';

/** Opaque refresh tokens grouped in families (one family per login). */
export interface Sessions {
  /** Starts a family for `user`; returns its first refresh token. */
  open(user: string): string;
  /**
   * Redeems a refresh token. `rotate`: it becomes used and a new one of the same family is
   * returned; presenting a used one revokes the family (`reuse: true`).
   */
  redeem(token: string, rotate: boolean): { user: string; refreshToken: string } | 'reuse' | null;
  /** The user of a live refresh token, without redeeming it. */
  userOf(token: string): string | null;
  revoke(token: string): void;
}

interface Entry {
  user: string;
  family: string;
  used: boolean;
}

export function createSessions(): Sessions {
  const tokens = new Map<string, Entry>();
  const revoked = new Set<string>();
  const issue = (user: string, family: string) => {
    const t = randomUUID();
    tokens.set(t, { user, family, used: false });
    return t;
  };
  return {
    open: (user) => issue(user, randomUUID()),
    redeem(token, rotate) {
      const e = tokens.get(token);
      if (!e || revoked.has(e.family)) return null;
      if (!rotate) return { user: e.user, refreshToken: token };
      if (e.used) {
        revoked.add(e.family);
        return 'reuse';
      }
      e.used = true;
      return { user: e.user, refreshToken: issue(e.user, e.family) };
    },
    userOf(token) {
      const e = tokens.get(token);
      return e && !revoked.has(e.family) ? e.user : null;
    },
    revoke(token) {
      const e = tokens.get(token);
      if (e) revoked.add(e.family);
    },
  };
}
