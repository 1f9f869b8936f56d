import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditReelm, type AuditFinding } from '../../src/audit/scan.ts';
import { newId } from '../../src/lib/ids.ts';
import { lanes, startReelm, type TestReelm } from '../helpers/lanes.ts';
import { signUp, type TestUser } from '../helpers/users.ts';
import { api, deliver, follow, postVideo } from '../social/helpers.ts';
import { reelmCli } from './cli-env.ts';

// What only a look across stores can find: copies of a person that each realm's
// guard accepts on its own, and protected values inside text that travels.

const CROSS = new Set(['person_not_routed_here', 'person_email_not_theirs', 'protected_value_in_text']);
const cross = (fs: AuditFinding[]) =>
  fs
    .filter((f) => CROSS.has(f.kind))
    .map((f) => `${f.realm}:${f.kind}${f.table && f.kind === 'protected_value_in_text' ? `:${f.table}` : ''}`)
    .sort();

for (const lane of lanes()) {
  describe(`reelm audit across stores (${lane})`, () => {
    let t: TestReelm;
    let ana: TestUser; // us
    let eva: TestUser; // eu
    before(async () => {
      t = await startReelm(lane);
      ana = await signUp(t, { country: 'US', email: `ana.${lane}.${newId().slice(-6)}@example.org` });
      eva = await signUp(t, { country: 'FR' });
      await follow(t, ana, eva);
    });
    after(() => t.close());

    test(`R3 audit: a ghost copy of a person (same id, email, birth date, hash) relabelled as homed in another realm passes the write guard and is found (${lane})`, async () => {
      assert.deepEqual(cross((await auditReelm(t.reelm)).findings), []);
      const [us, eu, intl] = ['us', 'eu', 'intl'].map((r) => t.reelm.realms.get(r));
      const row = await us!.db.selectFrom('users').selectAll().where('id', '=', ana.userId).executeTakeFirstOrThrow();
      // Each realm's guard sees only itself: these writes are accepted.
      await eu!.db
        .insertInto('users')
        .values({ ...row, home_realm: 'eu', country: 'FR', handle: 'ghost_a', handle_key: 'ghost_a' })
        .execute();
      const twin = newId();
      await intl!.db
        .insertInto('users')
        .values({ ...row, id: twin, home_realm: 'intl', country: 'BR', handle: 'ghost_b', handle_key: 'ghost_b' })
        .execute();

      const report = await auditReelm(t.reelm);
      assert.deepEqual(cross(report.findings), ['eu:person_not_routed_here', 'intl:person_not_routed_here']);
      const find = (realm: string, kind: string) => report.findings.find((f) => f.realm === realm && f.kind === kind)!;
      assert.deepEqual(find('eu', 'person_not_routed_here').sample, [ana.userId]);
      assert.deepEqual(find('intl', 'person_not_routed_here').sample, [twin]);
      const cli = reelmCli(t, ['audit', '--json']);
      assert.equal(cli.status, 1, cli.stderr);
      assert.ok(JSON.parse(cli.stdout).findings.some((f: AuditFinding) => f.kind === 'person_not_routed_here'));
      await eu!.db.deleteFrom('users').where('id', '=', ana.userId).execute();
      await intl!.db.deleteFrom('users').where('id', '=', twin).execute();

      // A real resident given someone else's email (the directory holds its keyed hash for another account).
      await eu!.db.updateTable('users').set({ email: ana.email }).where('id', '=', eva.userId).execute();
      const borrowed = await auditReelm(t.reelm);
      assert.deepEqual(cross(borrowed.findings), ['eu:person_email_not_theirs']);
      assert.deepEqual(borrowed.findings.find((f) => f.kind === 'person_email_not_theirs')!.sample, [eva.userId]);
      await eu!.db.updateTable('users').set({ email: eva.email }).where('id', '=', eva.userId).execute();
      assert.deepEqual(cross((await auditReelm(t.reelm)).findings), []);
    });

    test(`audit: an account's email in a notification excerpt, in replica text and in a delivered outbox payload is found by its keyed hash (${lane})`, async () => {
      const a = api(t);
      // Public text that happens to carry someone's email: a caption in eu, a comment from us mentioning eva.
      const { videoId } = await postVideo(t, eva, { caption: `questions? write to ${ana.email.toUpperCase()}` });
      await deliver(t);
      const c = await a.post(`/api/v1/posts/${videoId}/comments`, ana, { body: `@${eva.handle} or mail ${ana.email}` });
      assert.equal(c.statusCode, 201, c.body);
      // A display name carrying it reaches the follower's snapshot in us.
      const named = await a.patch('/api/v1/me/profile', eva, { displayName: `mail ${ana.email}` });
      assert.equal(named.statusCode, 200, named.body);
      await deliver(t);
      const delivered = await t.reelm.realms.get('eu').db.selectFrom('flow_outbox').select('state').where('flow', '=', 'social.post').execute();
      assert.ok(delivered.length > 0 && delivered.every((m) => m.state === 'delivered'));

      const report = await auditReelm(t.reelm);
      const found = cross(report.findings);
      for (const want of [
        'eu:protected_value_in_text:flow_outbox', // the delivered social.post payload
        'us:protected_value_in_text:post_index', // the replica of eva's post
        'us:protected_value_in_text:flow_outbox', // ana's comment, delivered to eu
        'eu:protected_value_in_text:video_comments', // the replica of ana's comment
        'eu:protected_value_in_text:notifications', // eva's mention notification excerpt
        'us:protected_value_in_text:follows', // ana's snapshot of eva
      ])
        assert.ok(found.includes(want), `${want} not in ${found.join(', ')}`);
      assert.ok(!JSON.stringify(report).includes(ana.email), 'the report names rows, not the values');
      // An address that belongs to no account is not a finding.
      await t.reelm.realms.get('eu').db.updateTable('notifications').set({ excerpt: 'mail nobody@example.net' }).where('user_id', '=', eva.userId).execute();
      assert.ok(!cross((await auditReelm(t.reelm)).findings).includes('eu:protected_value_in_text:notifications'));
    });
  });
}
