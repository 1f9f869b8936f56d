import { randomBytes } from 'node:crypto';

/** What the API helpers need: a test Reelm's app, or a running process over HTTP (test/helpers/processes.ts: over). */
export interface Injector {
  app: {
    inject(o: { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD'; url: string; headers?: Record<string, string>; payload?: any }): Promise<{
      statusCode: number;
      headers: Record<string, string | string[] | number | undefined>;
      body: string;
      json(): any;
    }>;
  };
}

export interface TestUser {
  userId: string;
  handle: string;
  realm: string;
  email: string;
  password: string;
  token: string;
  headers: { authorization: string };
}

export const STRONG_PASSWORD = 'correct horse battery staple';

/** Signs a person up through the public API and returns a bearer token for them. */
export async function signUp(
  t: Injector,
  opts: { handle?: string; country?: string; password?: string; email?: string; birthDate?: string; displayName?: string } = {},
): Promise<TestUser> {
  const handle = opts.handle ?? `u${randomBytes(5).toString('hex')}`;
  const email = opts.email ?? `${handle.toLowerCase()}@example.com`;
  const password = opts.password ?? STRONG_PASSWORD;
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    payload: {
      handle,
      email,
      password,
      birthDate: opts.birthDate ?? '1995-06-15',
      country: opts.country ?? 'US',
      displayName: opts.displayName,
      session: 'bearer',
    },
  });
  if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return {
    userId: body.user.id,
    handle,
    realm: body.homeRealm.name,
    email,
    password,
    token: body.session.token,
    headers: { authorization: `Bearer ${body.session.token}` },
  };
}
