import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { api, deliver, makeVideo, postVideo } from '../social/helpers.ts';
import { mediaWorker, multipart } from './helpers.ts';

// Every upload answer is a Reelm answer: JSON {error:{code,message}} with a
// 4xx, Retry-After when limited; refused uploads do not use up the hourly limit.

const tusHeaders = (u: TestUser, length: number) => ({ ...u.headers, 'tus-resumable': '1.0.0', 'upload-length': String(length) });
const tusCreate = (r: TestReelm, u: TestUser, length: number) => r.app.inject({ method: 'POST', url: '/api/v1/uploads/tus', headers: tusHeaders(u, length) });

function assertReelmError(res: { statusCode: number; body: string }, status: number, code?: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = JSON.parse(res.body);
  assert.equal(typeof body.error.code, 'string', res.body);
  assert.equal(typeof body.error.message, 'string');
  if (code) assert.equal(body.error.code, code);
}

for (const lane of lanes()) {
  describe(`upload errors [${lane}]`, () => {
    it('tus: empty and over-size uploads are JSON errors with a code; DELETE ends the upload', async (t) => {
      const r = await startReelm(lane, { config: { media: { maxBytes: 1000 } } });
      t.after(() => r.close());
      const u = await signUp(r);
      assertReelmError(await tusCreate(r, u, 0), 400, 'empty_file');
      assertReelmError(await tusCreate(r, u, 5000), 413, 'too_large');
      const created = await tusCreate(r, u, 500);
      assert.equal(created.statusCode, 201, created.body);
      const doc = (await r.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      assert.ok(doc.paths['/api/v1/uploads/tus']?.post, 'tus is in the OpenAPI document');
      assert.ok(doc.paths['/api/v1/uploads/tus/{id}']?.patch);
      const id = String(created.headers.location).split('/').pop()!;
      const del = await r.app.inject({ method: 'DELETE', url: `/api/v1/uploads/tus/${id}`, headers: { ...u.headers, 'tus-resumable': '1.0.0' } });
      assert.equal(del.statusCode, 204, del.body);
      assertReelmError(await r.app.inject({ method: 'GET', url: `/api/v1/uploads/${id}`, headers: u.headers }), 404, 'not_found');
      const head = await r.app.inject({ method: 'HEAD', url: `/api/v1/uploads/tus/${id}`, headers: { ...u.headers, 'tus-resumable': '1.0.0' } });
      assert.equal(head.statusCode, 404, 'HEAD answers without a body');
      assertReelmError(
        await r.app.inject({
          method: 'PATCH',
          url: `/api/v1/uploads/tus/${id}`,
          headers: { ...u.headers, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
          payload: Buffer.alloc(10),
        }),
        404,
        'not_found',
      );
    });

    it('a one-shot upload of a non-video is refused in the same response; a tus upload shows the refusal on its status at once', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const u = await signUp(r);
      const bytes = Buffer.from('just some text, not a video at all, really');
      const m = multipart(bytes, 'clip.mp4');
      const res = await r.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { ...u.headers, ...m.headers }, payload: m.payload });
      assertReelmError(res, 422, 'not_video');
      const status = (await r.app.inject({ method: 'GET', url: `/api/v1/uploads/${res.json().error.details.uploadId}`, headers: u.headers })).json();
      assert.equal(status.state, 'failed');
      assert.equal(status.error.code, 'not_video');
      const created = await tusCreate(r, u, bytes.length);
      const id = String(created.headers.location).split('/').pop()!;
      const patch = await r.app.inject({
        method: 'PATCH',
        url: `/api/v1/uploads/tus/${id}`,
        headers: { ...u.headers, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
        payload: bytes,
      });
      assert.equal(patch.statusCode, 204, patch.body);
      const s = (await r.app.inject({ method: 'GET', url: `/api/v1/uploads/${id}`, headers: u.headers })).json();
      assert.deepEqual([s.state, s.error?.code], ['failed', 'not_video'], 'no job needed to know');
      const store = r.reelm.realms.get(u.realm);
      assert.equal((await store.db.selectFrom('jobs').selectAll().execute()).length, 0);
    });

    it('multipart without a boundary, or truncated, is a 4xx with a code', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const u = await signUp(r);
      const noBoundary = await r.app.inject({
        method: 'POST',
        url: '/api/v1/uploads',
        headers: { ...u.headers, 'content-type': 'multipart/form-data' },
        payload: 'hello',
      });
      assert.ok(noBoundary.statusCode >= 400 && noBoundary.statusCode < 500, noBoundary.body);
      assert.equal(typeof noBoundary.json().error.code, 'string');
      const m = multipart(Buffer.alloc(4000, 1), 'clip.mp4');
      const truncated = await r.app.inject({
        method: 'POST',
        url: '/api/v1/uploads',
        headers: { ...u.headers, ...m.headers },
        payload: m.payload.subarray(0, 300),
      });
      assert.ok(truncated.statusCode >= 400 && truncated.statusCode < 500, truncated.body);
      assert.equal(typeof truncated.json().error.code, 'string');
      assert.equal((await r.reelm.realms.get(u.realm).db.selectFrom('uploads').selectAll().execute()).length, 0);
    });

    it('refused uploads do not count toward the hourly limit; Retry-After is the time until a slot frees', async (t) => {
      const r = await startReelm(lane, { config: { media: { uploadsPerHour: 2 } } });
      t.after(() => r.close());
      const u = await signUp(r);
      const store = r.reelm.realms.get(u.realm);
      // Two refused uploads (not videos), through the real job.
      for (let i = 0; i < 2; i++) {
        const m = multipart(Buffer.from('this is not a video at all'), 'notes.mp4');
        const res = await r.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { ...u.headers, ...m.headers }, payload: m.payload });
        assert.ok(res.statusCode === 202 || (res.statusCode >= 400 && res.statusCode < 500), res.body);
      }
      await mediaWorker(r.reelm, store).drain();
      assert.equal((await store.db.selectFrom('uploads').selectAll().where('state', '!=', 'failed').execute()).length, 0);
      assert.equal((await tusCreate(r, u, 500)).statusCode, 201);
      const second = await tusCreate(r, u, 500);
      assert.equal(second.statusCode, 201, 'refused uploads left the hour free');
      // The first counted upload started 1000 s ago: its slot frees in 2600 s.
      const firstId = String(second.headers.location).split('/').pop()!;
      await store.db
        .updateTable('uploads')
        .set({ created_at: Date.now() - 1000_000 })
        .where('state', '=', 'receiving')
        .where('id', '!=', firstId)
        .execute();
      const limited = await tusCreate(r, u, 500);
      assertReelmError(limited, 429, 'upload_rate_limited');
      const retry = Number(limited.headers['retry-after']);
      assert.ok(retry >= 2590 && retry <= 2600, `Retry-After ${limited.headers['retry-after']}`);
    });

    it('a sound’s use count drops when the post using it is deleted', async (t) => {
      const r = await startReelm(lane);
      t.after(() => r.close());
      const creator = await signUp(r);
      const fan = await signUp(r);
      const { soundId } = await postVideo(r, creator, {}, { soundTitle: 'theme' });
      const v = await makeVideo(r, fan, { soundId: soundId! });
      const store = r.reelm.realms.get(fan.realm);
      await store.db.updateTable('sounds').set({ usage_count: 2 }).where('id', '=', soundId!).execute(); // as the media job counts a use
      const posted = await api(r).post('/api/v1/posts', fan, { videoId: v.videoId });
      assert.equal(posted.statusCode, 201, posted.body);
      await deliver(r);
      assert.equal((await api(r).del(`/api/v1/posts/${v.videoId}`, fan)).statusCode, 204);
      await deliver(r);
      const s = (await api(r).get(`/api/v1/sounds/${soundId}`, fan)).json();
      assert.equal(s.usageCount, 1);
    });
  });
}
