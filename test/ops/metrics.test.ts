import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lanes, startReelm } from '../helpers/lanes.ts';
import { signUp } from '../helpers/users.ts';
import { makeClip } from '../media/corpus.ts';
import { JOB_RUN_BUCKETS } from '../../src/jobs/run-stats.ts';
import { mediaWorker, uploadMultipart } from '../media/helpers.ts';

// /metrics per realm: request latency by the viewer's realm and route pattern,
// job queue depth and age, flow backlog and age, job run time (transcoding), read from each realm's store.
// No personal data in any label or value: canary handles, emails, ids, tokens
// and a client address never appear in the scrape.

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

for (const lane of lanes()) {
  test(`metrics per realm, with no personal data in labels (${lane})`, async (t) => {
    const r = await startReelm(lane); // no background work: queued jobs and pending flows stay put
    const dir = mkdtempSync(join(tmpdir(), 'reelm-metrics-'));
    t.after(async () => {
      await r.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const stamp = Date.now().toString(36);
    const fan = await signUp(r, { handle: `canaryfan${stamp}`, email: `canary.fan.${stamp}@example.com`, country: 'US' });
    const star = await signUp(r, { handle: `canarystar${stamp}`, email: `canary.star.${stamp}@example.com`, country: 'DE' });
    const ip = '203.0.113.77';
    // the request histogram is the process's (shared by every app a test process builds): compare before/after
    const before = (await r.app.inject({ method: 'GET', url: '/metrics' })).body;

    assert.equal((await r.app.inject({ method: 'GET', url: '/api/v1/me', headers: fan.headers, remoteAddress: ip })).statusCode, 200);
    assert.equal((await r.app.inject({ method: 'GET', url: `/api/v1/users/${star.handle}`, remoteAddress: ip })).statusCode, 200);
    const follow = await r.app.inject({ method: 'POST', url: `/api/v1/users/${star.handle}/follow`, headers: fan.headers });
    assert.equal(follow.statusCode, 200, follow.body);
    const up = await uploadMultipart(r, fan, makeClip(join(dir, 'c.mp4')));
    assert.equal(up.statusCode, 202, up.body);

    const res = await r.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    const text = res.body;
    const buckets = (realm: string, route: string) => {
      const labels = `realm="${realm}",method="GET",route="${route}",status="200"`;
      return (
        (sample(text, 'reelm_http_request_duration_seconds_count', labels) ?? 0) - (sample(before, 'reelm_http_request_duration_seconds_count', labels) ?? 0)
      );
    };
    assert.equal(buckets('us', '/api/v1/me'), 1, 'the signed-in request is counted under the viewer’s realm');
    assert.equal(buckets('-', '/api/v1/users/:handle'), 1, 'a signed-out request under "-", by route pattern');
    assert.equal(sample(text, 'reelm_jobs_queued', 'realm="us"'), 1, 'the transcode job waits in us');
    assert.equal(sample(text, 'reelm_jobs_queued', 'realm="eu"'), 0);
    assert.ok(sample(text, 'reelm_jobs_oldest_queued_age_seconds', 'realm="us"')! >= 0);
    assert.ok(sample(text, 'reelm_flow_outbox_pending', 'realm="us"')! >= 1, 'the follow waits in us’s outbox');
    assert.ok(sample(text, 'reelm_flow_outbox_oldest_age_seconds', 'realm="us"')! >= 0);

    for (const secret of [fan.handle, star.handle, fan.email, star.email, fan.userId, star.userId, fan.token, ip, up.json().id])
      assert.ok(!text.toLowerCase().includes(secret.toLowerCase()), `the scrape does not contain ${secret}`);
    const labelValues = [...text.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]);
    for (const [k, v] of labelValues) if (k === 'realm') assert.ok(['us', 'eu', 'intl', '-'].includes(v!), `realm label ${v}`);

    // transcode time: the worker runs the real media job; the histogram is read from us's database
    const series = 'realm="us",kind="media.process",outcome="done"';
    assert.equal(sample(text, 'reelm_job_run_duration_seconds_count', series), undefined, 'nothing ran yet');
    assert.equal(await mediaWorker(r.reelm, r.reelm.realms.get('us')).drain(), 1);
    const after = (await r.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.equal(sample(after, 'reelm_job_run_duration_seconds_count', series), 1);
    const sum = sample(after, 'reelm_job_run_duration_seconds_sum', series)!;
    assert.ok(sum > 0 && sum < 600, `one transcode took ${sum} s`);
    const counts = JOB_RUN_BUCKETS.map((le) => sample(after, 'reelm_job_run_duration_seconds_bucket', `${series},le="${le}"`)!);
    assert.deepEqual(
      counts,
      JOB_RUN_BUCKETS.map((le) => (sum <= le ? 1 : 0)),
      'cumulative buckets: the run is under every bound at or above its time',
    );
    assert.equal(sample(after, 'reelm_job_run_duration_seconds_bucket', `${series},le="+Inf"`), 1);
    assert.equal(sample(after, 'reelm_job_run_duration_seconds_count', 'realm="eu"'), undefined, 'no run in eu');
    for (const secret of [fan.handle, fan.email, fan.userId, up.json().id, up.json().videoId ?? fan.userId])
      assert.ok(!after.toLowerCase().includes(secret.toLowerCase()), `the scrape does not contain ${secret}`);
    const runLines = after.split('\n').filter((l) => l.startsWith('reelm_job_run_duration_seconds'));
    for (const [k, v] of [...runLines.join('\n').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])) {
      if (k === 'kind') assert.ok(r.reelm.composition.jobKinds.has(v!), `kind label ${v} is a declared job kind`);
      if (k === 'outcome') assert.ok(['done', 'retry', 'failed'].includes(v!), `outcome label ${v}`);
    }
  });
}
