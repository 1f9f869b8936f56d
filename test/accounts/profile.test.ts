import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';

for (const lane of lanes()) {
  describe(`profiles [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test('display name, bio and links show on the public profile with their domains', async () => {
      const p = await signUp(t, { country: 'AU' });
      const res = await t.app.inject({
        method: 'PATCH',
        url: '/api/v1/me/profile',
        headers: p.headers,
        payload: {
          displayName: 'Kai 🎵',
          bio: 'I dance <b>badly</b>',
          links: ['https://www.instagram.com/kai', 'https://youtu.be/abc', 'https://kai.example.org/tour'],
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      const profile = (await t.app.inject({ url: `/api/v1/users/${p.handle.toUpperCase()}` })).json();
      assert.equal(profile.displayName, 'Kai 🎵');
      assert.equal(profile.bio, 'I dance <b>badly</b>', 'stored as text; escaping is the renderer’s job');
      assert.deepEqual(
        profile.links.map((l: { kind: string; domain: string }) => [l.kind, l.domain]),
        [
          ['instagram', 'instagram.com'],
          ['youtube', 'youtu.be'],
          ['web', 'kai.example.org'],
        ],
      );
      assert.equal(profile.followerCount, 0);
      assert.equal(profile.followingCount, 0);
      assert.equal(profile.email, undefined, 'no protected field on a public profile');
      assert.equal(profile.birthDate, undefined);
    });

    test('an avatar is validated by content, resized, stored in the home realm and served', async () => {
      const p = await signUp(t, { country: 'DE' });
      const jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3366ff' } })
        .jpeg()
        .toBuffer();
      // declared as PNG and named nothing: the content decides
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/avatar',
        headers: { ...p.headers, 'content-type': 'application/octet-stream' },
        payload: jpeg,
      });
      assert.equal(res.statusCode, 200, res.body);
      const url = res.json().avatarUrl as string;
      const img = await t.app.inject({ url });
      assert.equal(img.statusCode, 200);
      assert.equal(img.headers['content-type'], 'image/webp');
      const meta = await sharp(img.rawPayload).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 400, 400]);
      const files = async (realm: string) => {
        const out: string[] = [];
        for await (const b of t.reelm.realms.get(realm).blobs.list(`users/${p.userId}/`)) out.push(b.key);
        return out;
      };
      assert.equal((await files('eu')).length, 1);
      assert.equal((await files('us')).length, 0);
      // replacing the avatar removes the old file
      await t.app.inject({ method: 'PUT', url: '/api/v1/me/avatar', headers: p.headers, payload: jpeg });
      assert.equal((await files('eu')).length, 1);
      const again = await t.app.inject({
        url: (await t.app.inject({ url: `/api/v1/users/${p.handle}` })).json().avatarUrl,
        headers: { 'if-none-match': img.headers.etag as string },
      });
      assert.ok([200, 304].includes(again.statusCode));
    });

    test('an unknown handle is a 404 with a code', async () => {
      const res = await t.app.inject({ url: '/api/v1/users/nobody_here' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.code, 'not_found');
    });
  });
}

describe('operations endpoints', () => {
  test('/metrics exposes request timings by route pattern, with no handles or ids', async () => {
    const t = await startReelm('sqlite');
    try {
      const p = await signUp(t, { handle: 'metrics_canary' });
      await t.app.inject({ url: `/api/v1/users/${p.handle}` });
      const res = await t.app.inject({ url: '/metrics' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /reelm_http_request_duration_seconds_count\{realm="-",method="GET",route="\/api\/v1\/users\/:handle",status="200"\}/);
      assert.ok(!res.body.includes('metrics_canary'));
      assert.ok(!res.body.includes(p.userId));
    } finally {
      await t.close();
    }
  });
});
