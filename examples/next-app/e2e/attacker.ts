import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Another site's pages, on another port of 127.0.0.1: another origin, but the same *site*, so
 * `SameSite=Strict` cookies still go with its requests; only the server's Origin check stops
 * them. Each page attacks `target` as soon as it loads.
 */
export function attackerPages(target: string, apiOrigin: string): Record<string, string> {
  const form = (action: string, fields: string, enctype = 'application/x-www-form-urlencoded') =>
    `<form method="POST" action="${action}" enctype="${enctype}">${fields}</form>
     <script>document.forms[0].submit()</script>`;
  // A text/plain form body of `{"username":"mallory","password":"demo","x":"="}`: valid JSON.
  const jsonField = `<input type="hidden" name='{"username":"mallory","password":"demo","x":"' value='"}'>`;
  const fetches = (base: string) => `<script>
    const send = (path, body, type) => fetch('${base}/api/auth/' + path, {
      method: 'POST', mode: 'no-cors', credentials: 'include',
      headers: { 'content-type': type }, body,
    }).catch(() => {});
    Promise.all([
      send('login', '{"username":"mallory","password":"demo"}', 'text/plain'),
      send('refresh', '{}', 'text/plain'),
      send('logout', '{}', 'text/plain'),
    ]).then(() => { document.title = 'done'; });
  </script>`;
  return {
    '/login-form': form(`${target}/api/auth/login`, jsonField, 'text/plain'),
    '/logout-form': form(`${target}/api/auth/logout`, '<input name="a" value="b">'),
    '/refresh-form': form(`${target}/api/auth/refresh`, '<input name="a" value="b">'),
    '/fetches': fetches(target),
    '/fetches-api-port': fetches(apiOrigin),
  };
}

/** Serves `pages` on a free port; `close()` stops it. */
export async function startAttacker(
  pages: Record<string, string>,
): Promise<{ origin: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const page = pages[req.url ?? ''];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html' }).end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
