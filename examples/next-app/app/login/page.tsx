import { LoginForm } from './login-form';

export const dynamic = 'force-dynamic';

const messages: Record<string, string> = {
  expired: 'Your session has ended. Please sign in again.',
  'signed-out': 'You have been signed out.',
};

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ reason?: string }>;
}) {
  const { reason } = await searchParams;
  const message = reason ? messages[reason] : undefined;
  return (
    <main>
      <h1>Sign in</h1>
      {message && (
        <p className="notice" data-testid="signed-out" role="alert">
          {message}
        </p>
      )}
      <div className="card">
        <LoginForm />
      </div>
      <p className="hint" data-testid="login-hint">
        Demo: any user name (letters, digits, _) and the password <code>demo</code> (lower case).
      </p>
    </main>
  );
}
