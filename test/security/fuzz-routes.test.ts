import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, STRONG_PASSWORD, type TestUser } from '../helpers/users.ts';
import { api, deliver, postVideo } from '../social/helpers.ts';
import { edgeValue, seeded, validValue, type JsonSchema, type Rng } from './schema-values.ts';

// Every route of the route table, called signed out and signed in with inputs generated from
// its own schemas (the OpenAPI document built from the routes' zod schemas): valid values,
// boundary values and invalid ones. None may answer 5xx. REELM_FUZZ_SEED replays a run;
// REELM_FUZZ_CASES sets the cases per route and identity (default 8).

const SEED = Number(process.env.REELM_FUZZ_SEED ?? 20261202);
const CASES = Number(process.env.REELM_FUZZ_CASES ?? 8);
const off = { perAccount: 0, perAddress: 0 };
const noLimits = {
  actions: Object.fromEntries(['signUp', 'logIn', 'passwordChange', 'comment', 'share', 'follow', 'like', 'watchEvents', 'upload'].map((a) => [a, off])),
};

interface Operation {
  method: string;
  url: string;
  params: { name: string; in: string; required?: boolean; schema: JsonSchema }[];
  body?: JsonSchema;
}

function operations(t: TestReelm): Operation[] {
  const doc = t.app.swagger() as { paths: Record<string, Record<string, any>> };
  const seen = new Set<string>();
  const out: Operation[] = [];
  for (const r of t.app.routeTable) {
    if (r.method === 'OPTIONS') continue;
    const key = `${r.method} ${r.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const op = doc.paths[path]?.[r.method.toLowerCase()];
    const params = (op?.parameters ?? []) as Operation['params'];
    // path parameters the document does not describe (hidden routes) are still filled
    for (const m of r.url.matchAll(/:([A-Za-z0-9_]+)/g))
      if (!params.some((p) => p.in === 'path' && p.name === m[1])) params.push({ name: m[1]!, in: 'path', required: true, schema: { type: 'string' } });
    out.push({ method: r.method, url: r.url, params, body: op?.requestBody?.content?.['application/json']?.schema });
  }
  return out;
}

interface Known {
  [name: string]: string[];
}

function request(rng: Rng, op: Operation, known: Known) {
  const valid = rng() < 0.5;
  let url = op.url.replace(/\*/g, 'x');
  for (const p of op.params.filter((p) => p.in === 'path')) {
    const r = rng();
    const v =
      r < 0.5 && known[p.name]?.length
        ? known[p.name]![Math.floor(rng() * known[p.name]!.length)]!
        : String(r < 0.8 ? validValue(rng, p.schema) : edgeValue(rng, p.schema));
    url = url.replace(`:${p.name}`, encodeURIComponent(v.toWellFormed()) || 'x');
  }
  const query = new URLSearchParams();
  for (const p of op.params.filter((p) => p.in === 'query')) {
    if (!p.required && rng() < 0.4) continue;
    const v = valid ? validValue(rng, p.schema) : edgeValue(rng, p.schema);
    query.append(p.name, (typeof v === 'object' ? JSON.stringify(v) : String(v)).toWellFormed());
  }
  const qs = query.toString();
  let payload: string | undefined;
  let contentType: string | undefined;
  if (op.method !== 'GET' && op.method !== 'HEAD' && op.method !== 'DELETE') {
    const r = rng();
    if (op.body) payload = JSON.stringify(valid ? validValue(rng, op.body) : edgeValue(rng, op.body));
    else if (r < 0.5) payload = JSON.stringify(edgeValue(rng, { type: 'object', properties: { x: { type: 'string' } } }));
    if (payload !== undefined) contentType = 'application/json';
    const odd = rng();
    if (odd < 0.05) payload = '{"unterminated": ';
    else if (odd < 0.08) contentType = 'text/plain';
    else if (odd < 0.1) contentType = 'multipart/form-data';
  }
  return { method: op.method, url: qs ? `${url}?${qs}` : url, payload, contentType };
}

for (const lane of lanes()) {
  describe(`every route, generated inputs, no 5xx [${lane}]`, () => {
    let t: TestReelm;
    let me: TestUser;
    let known: Known;
    before(async () => {
      t = await startReelm(lane, { config: { limits: noLimits } });
      const creator = await signUp(t, { country: 'DE' });
      me = await signUp(t);
      const { videoId } = await postVideo(t, creator, { caption: 'fuzz #target' });
      await deliver(t);
      const c = await api(t).post(`/api/v1/posts/${videoId}/comments`, me, { body: 'a comment to aim at' });
      known = { id: [videoId, c.json().id], videoId: [videoId], commentId: [c.json().id], handle: [creator.handle, me.handle], tag: ['target'] };
    });
    after(() => t.close());

    /** The signed-in identity survives routes that end sessions or accounts. */
    async function stillSignedIn() {
      if ((await t.app.inject({ url: '/api/v1/me', headers: me.headers })).statusCode === 200) return;
      const again = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: me.handle, password: me.password, session: 'bearer' } });
      if (again.statusCode === 201) me = { ...me, token: again.json().session.token, headers: { authorization: `Bearer ${again.json().session.token}` } };
      else me = await signUp(t, { password: STRONG_PASSWORD });
    }

    it('no route answers 5xx to generated input, signed out or signed in', async () => {
      const rng = seeded(SEED);
      const ops = operations(t);
      assert.ok(ops.length > 50, `the route table has ${ops.length} routes`);
      const failures: string[] = [];
      let calls = 0;
      const reached = new Set<string>();
      for (const op of ops) {
        for (let i = 0; i < CASES; i++) {
          for (const signedIn of [false, true]) {
            const req = request(rng, op, known);
            const headers: Record<string, string> = { ...(signedIn ? me.headers : {}) };
            if (req.contentType) headers['content-type'] = req.contentType;
            const res = await t.app.inject({ method: req.method as 'GET', url: req.url, headers, payload: req.payload });
            calls++;
            if (res.statusCode < 300) reached.add(`${op.method} ${op.url}`);
            if (res.statusCode >= 500)
              failures.push(
                `${res.statusCode} ${req.method} ${req.url} ${signedIn ? '(signed in)' : ''} ${req.payload?.slice(0, 300) ?? ''} → ${res.body.slice(0, 200)}`,
              );
            if (signedIn && req.method !== 'GET' && res.statusCode < 300) await stillSignedIn();
          }
        }
      }
      assert.deepEqual(failures, [], `${failures.length} of ${calls} calls answered 5xx (seed ${SEED})`);
      // the generated inputs are good enough to get past validation into the handlers of many routes
      assert.ok(reached.size >= ops.length / 3, `${reached.size} of ${ops.length} routes answered 2xx at least once`);
    });
  });
}
