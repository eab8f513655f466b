/**
 * Hands the request's access token from a server component to the server rendering of client
 * components without the browser ever being able to read it. Server rendering of client
 * components cannot read cookies, and a prop travels to the browser in the page (HTML and RSC
 * payload): so the prop carries the token encrypted (AES-GCM) with a key that exists only in this
 * server process's memory, made at first use and never exported. In the browser `reveal` always
 * resolves `null`. (The technique of the `ssr-only-secrets` package, with a per-process key.)
 *
 * Server components and server rendering run in the same process but load separate copies of
 * this module, so the key lives on `globalThis`, not in a module variable.
 */
const KEY = Symbol.for('apollo-token-refresh-example.ssr-secret-key');
const PURPOSE = new TextEncoder().encode('ssr-access-token');
const IV_BYTES = 12;

type KeyHolder = { [KEY]?: Promise<CryptoKey> };

function processKey(): Promise<CryptoKey> {
  const holder = globalThis as KeyHolder;
  holder[KEY] ??= crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
  return holder[KEY];
}

const toBase64Url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** Server components only. */
export async function cloak(secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: PURPOSE },
    await processKey(),
    new TextEncoder().encode(secret),
  );
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return toBase64Url(out);
}

/** The secret during server rendering; `null` in the browser or for anything not ours. */
export async function reveal(cloaked: string | null): Promise<string | null> {
  if (typeof window !== 'undefined' || !cloaked) return null;
  try {
    const bytes = Buffer.from(cloaked, 'base64url');
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: PURPOSE },
      await processKey(),
      bytes.subarray(IV_BYTES),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
