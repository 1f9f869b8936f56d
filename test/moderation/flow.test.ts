import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyChain } from '../../src/staff/audit-chain.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { api, deliver, postVideo } from '../social/helpers.ts';
import { admin, moderate, report, staffToken } from './helpers.ts';

// The moderation flow end to end: reports (one from another realm, one
// repeated) → the content realm's queue → a moderator removes the video →
// the creator is told why and sees it → appeals once → a moderator reverses
// it; every action in the realm's signed audit chain. Staff of another
// operator, and staff without the moderator role, cannot act.

for (const lane of lanes()) {
  describe(`moderation flow [${lane}]`, () => {
    let t: TestReelm;
    before(async () => {
      t = await startReelm(lane);
    });
    after(() => t.close());

    test('report → queue → remove → reason → appeal once → reverse, audited', async () => {
      const creator = await signUp(t, { country: 'DE' }); // realm eu, operator global
      const far = await signUp(t, { country: 'US' }); // realm us, operator atlantic
      const near = await signUp(t, { country: 'FR' });
      const p = await postVideo(t, creator, { caption: 'miracle cure #health' });
      await deliver(t);

      // a report from another realm travels to the video's realm; a repeated report counts once
      const r1 = await report(t, far, 'video', p.videoId, 'misinformation', 'claims a fake cure');
      assert.equal(r1.statusCode, 201, r1.body);
      assert.equal(r1.json().realm, 'eu');
      const r2 = await report(t, near, 'video', p.videoId, 'spam');
      assert.equal(r2.statusCode, 201, r2.body);
      const again = await report(t, near, 'video', p.videoId, 'hate');
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().duplicate, true);
      assert.equal(again.json().id, r2.json().id);
      assert.equal((await report(t, creator, 'video', p.videoId)).statusCode, 400, 'nobody reports themselves');
      await deliver(t);

      // the reporter's identity stays in the reporter's realm
      const eu = t.reelm.realms.get('eu').db;
      const received = await eu.selectFrom('reports').selectAll().where('target_id', '=', p.videoId).execute();
      assert.equal(received.length, 2);
      assert.ok(!JSON.stringify(received).includes(far.userId) && !JSON.stringify(received).includes(near.userId), 'no reporter id in the content realm');
      const us = t.reelm.realms.get('us').db;
      assert.equal((await us.selectFrom('reports_made').select('id').where('reporter_id', '=', far.userId).execute()).length, 1);
      // and the note (the reporter's words, not naming them) leaves no copy in the reporter's outbox once delivered,
      // so their later account deletion has nothing to find; other delivered messages are kept for diagnosis
      const sent = await us.selectFrom('flow_outbox').select(['flow', 'payload']).execute();
      assert.deepEqual(
        sent.filter((m) => m.flow === 'moderation.report' || m.payload.includes('claims a fake cure')),
        [],
      );
      assert.ok(
        (await eu.selectFrom('flow_outbox').select('flow').where('state', '=', 'delivered').execute()).some((m) => m.flow === 'social.post'),
        'a delivered post projection is kept (positive control)',
      );

      const mod = await staffToken(t, 'global');
      const queue = await admin(t, mod).queue('eu');
      assert.equal(queue.statusCode, 200, queue.body);
      const entry = queue.json().items.find((i: any) => i.target.id === p.videoId);
      assert.ok(entry, 'the video is in the eu queue');
      assert.equal(entry.reports, 2);
      assert.deepEqual(entry.reasons, { misinformation: 1, spam: 1 });
      assert.deepEqual(entry.notes, ['claims a fake cure']);
      assert.equal(entry.target.ownerHandle, creator.handle);

      // staff of another operator, or without the moderator role, cannot see or act
      const atlantic = await staffToken(t, 'atlantic');
      assert.equal((await admin(t, atlantic).queue('eu')).statusCode, 403);
      assert.equal(
        (
          await admin(t, atlantic).act('eu', {
            target: { kind: 'video', id: p.videoId },
            action: 'remove',
            reasonCode: 'spam',
            reasonText: 'Not your realm to moderate.',
          })
        ).statusCode,
        403,
      );
      const support = await staffToken(t, 'global', 'support');
      assert.equal((await admin(t, support).queue('eu')).statusCode, 403);
      assert.equal((await admin(t, mod).queue('nowhere')).statusCode, 404);
      const person = await t.app.inject({ method: 'GET', url: '/api/v1/admin/realms/eu/reports', headers: creator.headers });
      assert.equal(person.statusCode, 401, 'a person’s session is not a staff token');
      // a bare reason is refused: the creator must be told why
      assert.equal(
        (await admin(t, mod).act('eu', { target: { kind: 'video', id: p.videoId }, action: 'remove', reasonCode: 'spam', reasonText: 'no' })).statusCode,
        400,
      );
      assert.equal(
        (
          await admin(t, mod).act('eu', {
            target: { kind: 'video', id: p.videoId },
            action: 'suspend',
            reasonCode: 'spam',
            reasonText: 'A video cannot be suspended.',
          })
        ).statusCode,
        400,
      );

      const removed = await moderate(t, mod, 'eu', 'video', p.videoId, 'remove');
      await deliver(t);
      assert.equal((await admin(t, mod).queue('eu')).json().items.filter((i: any) => i.target.id === p.videoId).length, 0, 'acted-on reports leave the queue');
      assert.equal((await api(t).get(`/api/v1/posts/${p.videoId}`, far)).statusCode, 404, 'removed for others');

      // the creator is told, with the reason, and sees the decision on their own view
      const notes = (await api(t).get('/api/v1/me/notifications', creator)).json();
      const told = notes.items.find((n: any) => n.kind === 'moderation');
      assert.ok(told, JSON.stringify(notes));
      assert.match(told.excerpt, /Your video was removed: This video breaks the community guidelines/);
      const mine = (await api(t).get('/api/v1/me/moderation', creator)).json().items;
      assert.equal(mine.length, 1);
      assert.equal(mine[0].id, removed.id);
      assert.equal(mine[0].action, 'remove');
      assert.equal(mine[0].mayAppeal, true);
      assert.match(mine[0].reasonText, /community guidelines/);
      const own = await api(t).get(`/api/v1/posts/${p.videoId}`, creator);
      assert.equal(own.statusCode, 200, 'the creator still sees their own video');
      assert.equal(own.json().audience, 'private');

      // one appeal, by the creator only
      assert.equal((await api(t).post('/api/v1/me/appeals', far, { actionId: removed.id, text: 'It is not theirs to appeal.' })).statusCode, 404);
      const ap = await api(t).post('/api/v1/me/appeals', creator, { actionId: removed.id, text: 'This is satire, clearly marked as such.' });
      assert.equal(ap.statusCode, 201, ap.body);
      assert.equal((await api(t).post('/api/v1/me/appeals', creator, { actionId: removed.id, text: 'Appealing a second time now.' })).statusCode, 409);
      const pending = (await admin(t, mod).appeals('eu')).json().items;
      assert.deepEqual(
        pending.map((a: any) => a.id),
        [removed.id],
      );
      assert.equal((await admin(t, atlantic).decide('eu', removed.id, { decision: 'reverse', text: 'Another operator decides.' })).statusCode, 403);
      const decided = await admin(t, mod).decide('eu', removed.id, { decision: 'reverse', text: 'On review the video is satire and may stay.' });
      assert.equal(decided.statusCode, 200, decided.body);
      assert.equal(decided.json().state, 'reversed');
      assert.equal((await admin(t, mod).decide('eu', removed.id, { decision: 'uphold', text: 'Deciding it a second time.' })).statusCode, 409);
      await deliver(t);
      const back = await api(t).get(`/api/v1/posts/${p.videoId}`, far);
      assert.equal(back.statusCode, 200, 'visible again in the other realm after the reversal');
      assert.equal(back.json().audience, 'public');
      const told2 = (await api(t).get('/api/v1/me/notifications', creator)).json().items.filter((n: any) => n.kind === 'moderation');
      assert.ok(told2.some((n: any) => /appeal was granted/.test(n.excerpt)));

      // both decisions are in the realm's signed chain, and the creator's access log shows them
      const chain = await t.reelm.realms.get('eu').db.selectFrom('staff_access_log').select(['action', 'subject_id', 'staff_id']).orderBy('seq').execute();
      const mods = chain.filter((e) => e.action?.startsWith('moderation.'));
      assert.deepEqual(
        mods.map((e) => e.action),
        ['moderation.remove', 'moderation.appeal_reverse'],
      );
      assert.ok(mods.every((e) => e.subject_id === creator.userId && e.staff_id === mod.id));
      assert.deepEqual((await verifyChain(t.reelm.realms.get('eu'), t.reelm.auditKey)).problems, []);
      const log = (await api(t).get('/api/v1/me/access-log', creator)).json();
      assert.ok(log.entries.some((e: any) => e.action === 'moderation.remove'));
    });

    test('comments and accounts can be reported; a reported comment is removed in its author’s realm', async () => {
      const creator = await signUp(t, { country: 'US' });
      const author = await signUp(t, { country: 'DE' });
      const reporter = await signUp(t, { country: 'BR' });
      const p = await postVideo(t, creator, { caption: 'ok' });
      await deliver(t);
      const c = await api(t).post(`/api/v1/posts/${p.videoId}/comments`, author, { body: 'buy followers at spam.example' });
      assert.equal(c.statusCode, 201, c.body);
      await deliver(t);
      const commentId = c.json().id;
      const rc = await report(t, reporter, 'comment', commentId, 'spam');
      assert.equal(rc.statusCode, 201, rc.body);
      assert.equal(rc.json().realm, 'eu', 'a comment is moderated in its author’s realm');
      const ra = await report(t, reporter, 'account', author.handle, 'spam');
      assert.equal(ra.statusCode, 201, ra.body);
      assert.equal((await report(t, reporter, 'video', 'nosuchvideo00000000000000a')).statusCode, 404);
      await deliver(t);
      const mod = await staffToken(t, 'global');
      const items = (await admin(t, mod).queue('eu')).json().items;
      assert.ok(items.some((i: any) => i.target.kind === 'comment' && i.target.id === commentId && i.target.preview.includes('spam.example')));
      assert.ok(items.some((i: any) => i.target.kind === 'account' && i.target.id === author.userId));
      await moderate(t, mod, 'eu', 'comment', commentId, 'remove');
      await deliver(t);
      const list = (await api(t).get(`/api/v1/posts/${p.videoId}/comments`, reporter)).json();
      assert.ok(!list.items.some((x: any) => x.id === commentId), 'the comment is gone from the video');
      const warned = await moderate(t, mod, 'eu', 'account', author.userId, 'warn');
      assert.equal(warned.action, 'warn');
      assert.equal((await api(t).get('/api/v1/me/moderation', author)).json().items.length, 2);
    });
  });
}
