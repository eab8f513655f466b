'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { AuthApiError, postAuth, type TokenAnswer } from '../../lib/client/auth-api';
import { useSession } from '../../lib/client/session-context';

export function LoginForm() {
  const { session, hydrated } = useSession();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!session) return;
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      // The answer sets the httpOnly cookies; the body carries the access token, which lives in
      // this tab's manager (memory) from now on.
      const res = await postAuth('login', {
        username: form.get('username'),
        password: form.get('password'),
      });
      const { accessToken, expiresAt } = (await res.json()) as TokenAnswer;
      await session.manager.setTokens({ accessToken, expiresAt });
      router.replace('/dashboard');
    } catch (e) {
      setError(
        e instanceof AuthApiError && e.status === 401
          ? 'Wrong user name or password'
          : 'Sign-in failed, please try again',
      );
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
      <button type="submit" disabled={busy || !hydrated}>
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
