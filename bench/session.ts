/** The administrator the bench's first start creates and signs in as. */
export const BENCH_ADMIN = { email: 'admin@tessera.bench', password: 'bench-admin-password' };

/** Signs in through the real login form over HTTP and returns the session cookie (`tessera.sid=...`). */
export async function loginCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const form = await fetch(`${baseUrl}/login`, { redirect: 'manual' });
  const html = await form.text();
  const token = html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? html.match(/name="csrf-token" content="([^"]+)"/)?.[1];
  if (!token) throw new Error(`no CSRF token on /login (status ${form.status})`);
  const preCookie = sessionCookie(form.headers);
  if (!preCookie) throw new Error('/login set no session cookie');
  const answer = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: preCookie },
    body: new URLSearchParams({ email, password, _csrf: token }).toString(),
  });
  if (answer.status !== 302) throw new Error(`login as ${email} answered ${answer.status}, not a redirect`);
  const cookie = sessionCookie(answer.headers);
  if (!cookie) throw new Error('login set no session cookie');
  return cookie;
}

function sessionCookie(headers: Headers): string | null {
  for (const line of headers.getSetCookie()) {
    const pair = line.split(';')[0];
    if (pair.startsWith('tessera.sid=')) return pair;
  }
  return null;
}
