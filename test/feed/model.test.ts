import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnlineRanker, type PersonContext, type VideoFeatures } from '../../src/feed/model/ranker.ts';

// The ranker alone (no database): a planted taste, expiry, snapshots, determinism.
const H = 3_600_000;
function video(i: number, tag: string): VideoFeatures {
  return {
    videoId: `v${i}`,
    creatorId: `c${i % 7}`,
    soundId: `s${i % 5}`,
    hashtags: [tag, `t${i % 3}`],
    country: 'DE',
    ageHours: 5,
    stats: { views: 100, completions: 30, likes: 5, shares: 1 },
  };
}
const person = (i: number): PersonContext => ({ personId: `p${i}`, country: 'DE', interests: [] });

/** Person p0 completes and likes #cats, skips #dogs; the others watch at random. */
function train(m: OnlineRanker, events = 600): void {
  let x = 7;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648), x / 2147483648);
  for (let e = 0; e < events; e++) {
    const p = person(Math.floor(rnd() * 5));
    const tag = rnd() < 0.5 ? 'cats' : 'dogs';
    const v = video(Math.floor(rnd() * 40), tag);
    const pos = p.personId === 'p0' ? tag === 'cats' : rnd() < 0.3;
    m.observe(p, v, { completed: pos, liked: pos && rnd() < 0.5, shared: false, skippedEarly: !pos, watchedFraction: pos ? 1 : 0.1 }, e * 1000);
  }
}

describe('OnlineRanker', () => {
  it('learns a planted preference and says why', () => {
    const m = new OnlineRanker({ seed: 3 });
    train(m);
    const cats = m.predict(person(0), video(100, 'cats'));
    const dogs = m.predict(person(0), video(101, 'dogs'));
    assert.ok(cats.score > dogs.score * 1.5, `${cats.score} vs ${dogs.score}`);
    assert.ok(cats.completion > dogs.completion);
    assert.equal(cats.reasons[0]?.feature, 'hashtag:cats');
  });

  it("lifts a video co-liked with the person's recent positives, and says so", () => {
    const m = new OnlineRanker({ seed: 4 });
    const like = { completed: true, liked: true, shared: false, skippedEarly: false, watchedFraction: 1 };
    const skip = { completed: false, liked: false, shared: false, skippedEarly: true, watchedFraction: 0.1 };
    // v1 and v2 are liked together; v36 and v37 are liked together, as often; v50 is skipped after v1.
    let t = 0;
    for (let i = 0; i < 40; i++) {
      const p = person(10 + i);
      const [a, b] = i % 2 === 0 ? [1, 2] : [36, 37];
      m.observe(p, video(a, 'x'), like, (t += 1000));
      m.observe(p, video(b, 'x'), like, (t += 1000));
      m.observe(p, video(50 + (i % 5), 'x'), skip, (t += 1000));
    }
    m.observe(person(0), video(1, 'x'), like, (t += 1000));
    const co = m.predict(person(0), video(2, 'x'));
    const other = m.predict(person(0), video(37, 'x'));
    assert.ok(co.score > other.score, `${co.score} vs ${other.score}`);
    assert.ok(
      co.reasons.some((r) => r.feature === 'co-engagement:v1'),
      JSON.stringify(co.reasons),
    );
    assert.ok(!other.reasons.some((r) => r.feature.startsWith('co-engagement:')));
  });

  it('expires ids not seen within staleAfterMs', () => {
    const m = new OnlineRanker({ staleAfterMs: 10 * H });
    m.observe(person(1), video(1, 'old'), { completed: true, liked: true, shared: true, skippedEarly: false, watchedFraction: 1 }, 0);
    const before = m.predict(person(1), video(1, 'old')).score;
    m.observe(person(2), video(2, 'new'), { completed: true, liked: false, shared: false, skippedEarly: false, watchedFraction: 1 }, 9 * H);
    const n = m.expire(12 * H);
    assert.ok(n > 0);
    const after = m.predict(person(1), video(1, 'old'));
    assert.notEqual(after.score, before);
    assert.ok(!after.reasons.some((r) => r.feature === 'hashtag:old'));
    assert.equal(m.expire(12 * H), 0);
  });

  it('serialize round-trips byte-identically with identical predictions', () => {
    const m = new OnlineRanker({ seed: 9, dim: 8 });
    train(m, 300);
    m.expire(200_000); // leave freed slots behind: the snapshot compacts them
    const bytes = m.serialize();
    const back = OnlineRanker.deserialize(bytes);
    assert.deepEqual(back.serialize(), bytes);
    assert.equal(back.version, m.version);
    for (let i = 0; i < 20; i++) assert.deepEqual(back.predict(person(i % 6), video(i, 'cats')), m.predict(person(i % 6), video(i, 'cats')));
    // Both keep learning identically after the restore.
    train(m, 50);
    train(back, 50);
    assert.deepEqual(back.serialize(), m.serialize());
  });

  it('is deterministic given the seed', () => {
    const a = new OnlineRanker({ seed: 5 });
    const b = new OnlineRanker({ seed: 5 });
    train(a);
    train(b);
    assert.deepEqual(a.serialize(), b.serialize());
    const c = new OnlineRanker({ seed: 6 });
    train(c);
    assert.notDeepEqual(c.serialize(), a.serialize());
  });
});
