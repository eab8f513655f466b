'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { useManager } from '../../lib/session';

export function LoginForm() {
  const manager = useManager();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!manager) return;
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      // The answer sets the httpOnly refresh cookie; the body carries only the access token.
      const res = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
      });
      if (!res.ok)
        throw new Error(res.status === 401 ? 'Wrong user name or password' : `Error ${res.status}`);
      const { accessToken, expiresAt } = (await res.json()) as {
        accessToken: string;
        expiresAt: number;
      };
      await manager.setTokens({ accessToken, expiresAt });
      router.replace('/dashboard');
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Sign-in failed');
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit}>
      <label>
        User name <input name="username" defaultValue="alice" autoComplete="username" required />
      </label>
      <label>
        Password <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button type="submit" disabled={busy || !manager}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
