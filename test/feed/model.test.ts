import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { OnlineRanker, type PersonContext, type VideoFeatures } from '../../src/feed/model/ranker.ts';
import { KeyIndex } from '../../src/feed/model/keys.ts';
import { CoEngagement, NEIGHBOURS, RECENT_K } from '../../src/feed/model/coengage.ts';

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
    // Two people with one like each: person 0 liked v1 (co-liked with v2), person 1 liked v36 (co-liked with v37, not v2).
    m.observe(person(0), video(1, 'x'), like, (t += 1000));
    m.observe(person(1), video(36, 'x'), like, (t += 1000));
    const co = m.predict(person(0), video(2, 'x'));
    const other = m.predict(person(1), video(2, 'x'));
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

  it('round-trips byte-identically after an expiry that dropped ids, videos and people', () => {
    const m = new OnlineRanker({ seed: 9, dim: 8, staleAfterMs: 100_000 });
    train(m, 300); // events at 0 … 299 s
    const ids = m.ids.size;
    assert.ok(m.expire(300_000) > 0);
    assert.ok(m.ids.size < ids && m.co.items.size > 0);
    const bytes = m.serialize();
    const back = OnlineRanker.deserialize(bytes);
    assert.deepEqual(back.serialize(), bytes);
    for (let i = 0; i < 20; i++) assert.deepEqual(back.predict(person(i % 6), video(i, 'cats')), m.predict(person(i % 6), video(i, 'cats')));
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

  it('reads a format-3 snapshot (the Map-based layout) into the same model, and writes it as format 4', () => {
    // Written by the format-3 codec (commit cda4042) after train(m, 300) and expire(200_000), seed 9, dim 8.
    const old = new Uint8Array(readFileSync(new URL('fixtures/ranker-format3.bin', import.meta.url)));
    assert.equal(new DataView(old.buffer).getUint32(4, true), 3);
    const fromOld = OnlineRanker.deserialize(old);
    // The same model as format 4, written by the codec at commit d24a489 (the learning rates before CROSS_RATE
    // and CO_SCALE, so today's training cannot remake it) after the same training.
    const m = OnlineRanker.deserialize(new Uint8Array(readFileSync(new URL('fixtures/ranker-format4-before-rates.bin', import.meta.url))));
    assert.deepEqual(fromOld.serialize(), m.serialize());
    assert.equal(new DataView(m.serialize().buffer).getUint32(4, true), 4);
    for (let i = 0; i < 20; i++) assert.deepEqual(fromOld.predict(person(i % 6), video(i, 'cats')), m.predict(person(i % 6), video(i, 'cats')));
  });

  it('loads a snapshot with a longer co-engagement ring than RECENT_K (the window was 50) keeping the newest', () => {
    const m = new OnlineRanker({ seed: 4 });
    const p = person(0);
    for (let i = 0; i < RECENT_K + 10; i++)
      m.observe(p, video(i, 'cats'), { completed: true, liked: false, shared: false, skippedEarly: false, watchedFraction: 1 }, i * 1000);
    assert.equal(m.co.people.size, 1);
    assert.equal(m.co.ringLen[0], RECENT_K);
    const b = m.serialize();
    // The snapshot ends with the one person's ring length and ring: write it as a ring of RECENT_K + 5, the 5 extra oldest.
    const ringAt = b.length - 4 * RECENT_K;
    const longer = new Uint8Array(b.length + 4 * 5);
    longer.set(b.subarray(0, ringAt));
    const dv = new DataView(longer.buffer);
    assert.equal(dv.getInt32(ringAt - 4, true), RECENT_K);
    dv.setInt32(ringAt - 4, RECENT_K + 5, true);
    for (let k = 0; k < 5; k++) dv.setInt32(ringAt + 4 * k, k, true);
    longer.set(b.subarray(ringAt), ringAt + 4 * 5);
    const back = OnlineRanker.deserialize(longer);
    assert.equal(back.co.ringLen[0], RECENT_K);
    assert.deepEqual(back.serialize(), b);
    assert.equal(back.co.items.key(back.co.ring[RECENT_K - 1]!), `v${RECENT_K + 9}`, 'the newest positive is last');
  });

  it('refuses a truncated or foreign snapshot', () => {
    const m = new OnlineRanker();
    train(m, 100);
    const b = m.serialize();
    assert.throws(() => OnlineRanker.deserialize(b.subarray(0, b.length - 3)), /truncated|trailing/);
    const other = b.slice();
    new DataView(other.buffer).setUint32(4, 99, true);
    assert.throws(() => OnlineRanker.deserialize(other), /unsupported ranker snapshot format/);
  });
});

describe('KeyIndex', () => {
  it('gives every distinct key its own slot, in insertion order, ASCII or not, and compacts in order', () => {
    const k = new KeyIndex();
    const keys: string[] = [];
    for (let i = 0; i < 30_000; i++) keys.push(i % 7 === 0 ? `h:kätzchen${i}` : i % 11 === 0 ? `h:猫${i}` : `v:${i}`);
    keys.push('', 'h:é', 'h:e\u0301');
    keys.forEach((key, i) => assert.equal(k.add(key), i));
    assert.equal(k.add('v:1'), 1);
    assert.equal(k.added, false);
    keys.forEach((key, i) => assert.equal(k.get(key), i));
    assert.equal(k.get('v:30000'), -1);
    assert.equal(k.key(keys.length - 2), 'h:é');
    const keep = new Uint8Array(keys.length).map((_, i) => (i % 3 === 0 ? 1 : 0));
    const map = k.compact(keep);
    const kept = keys.filter((_, i) => i % 3 === 0);
    assert.equal(k.size, kept.length);
    kept.forEach((key, i) => assert.equal(k.get(key), i));
    keys.forEach((key, i) => i % 3 !== 0 && assert.equal(k.get(key), -1));
    assert.equal(map[3], 1);
    assert.equal(map[4], -1);
    assert.equal(k.add('v:new'), kept.length);
  });
});

describe('CoEngagement', () => {
  it('keeps at most NEIGHBOURS per video, evicting the weakest, and a ring of the last RECENT_K', () => {
    const co = new CoEngagement();
    // v0 and v1 are co-liked by two people (count 2); then one person likes v0 and 150 others.
    co.positive('a', 'v0', 1);
    co.positive('a', 'v1', 2);
    co.positive('b', 'v0', 3);
    co.positive('b', 'v1', 4);
    for (let i = 0; i < 150; i++) {
      co.positive(`p${i}`, 'v0', 10 + i);
      co.positive(`p${i}`, `w${i}`, 10 + i);
    }
    const v0 = co.items.get('v0');
    assert.equal(co.nbLen[v0], NEIGHBOURS);
    const names = [];
    for (let j = co.nbStart[v0]!; j < co.nbStart[v0]! + co.nbLen[v0]!; j++) names.push(co.items.key(co.poolSlot[j]!));
    assert.ok(names.includes('v1'), 'the strongest neighbour survives eviction');
    assert.deepEqual(names.slice(-3), ['w147', 'w148', 'w149']);
    for (let i = 0; i < RECENT_K + 5; i++) co.positive('z', `x${i}`, 200 + i);
    const z = co.people.get('z');
    assert.equal(co.ringLen[z], RECENT_K);
    assert.equal(co.items.key(co.ring[z * RECENT_K]!), 'x5', 'the oldest five fell out of the ring');
    assert.equal(co.items.key(co.ring[z * RECENT_K + RECENT_K - 1]!), `x${RECENT_K + 4}`);
    // Expiry drops stale videos from the lists and the rings, and stale people; what stays keeps its order and counts.
    const lists = (live: (k: string) => boolean) => {
      const out: Record<string, string[]> = {};
      for (let s = 0; s < co.items.size; s++) {
        const k = co.items.key(s);
        if (!live(k)) continue;
        out[k] = [];
        for (let j = co.nbStart[s]!; j < co.nbStart[s]! + co.nbLen[s]!; j++) {
          const o = co.items.key(co.poolSlot[j]!);
          if (live(o)) out[k].push(`${o}=${co.poolCount[j]}`);
        }
      }
      return out;
    };
    const rings = (live: (k: string) => boolean) => {
      const out: Record<string, string[]> = {};
      for (let r = 0; r < co.people.size; r++)
        if (co.personSeen[r]! >= 100)
          out[co.people.key(r)] = [...co.ring.subarray(r * RECENT_K, r * RECENT_K + co.ringLen[r]!)].map((s) => co.items.key(s)).filter(live);
      return out;
    };
    const stale = new Set(['v1']);
    for (let s = 0; s < co.items.size; s++) if (co.seen[s]! < 100) stale.add(co.items.key(s));
    assert.ok(stale.size > 50 && stale.size < co.items.size - 50, 'a mix of stale and live videos');
    const before = lists((k) => !stale.has(k));
    const ringsBefore = rings((k) => !stale.has(k));
    assert.ok(co.expire(100) > 0);
    assert.deepEqual(
      lists(() => true),
      before,
    );
    assert.deepEqual(
      rings(() => true),
      ringsBefore,
    );
    assert.equal(co.items.get('v1'), -1);
    assert.equal(co.people.get('a'), -1);
    assert.ok(co.score('p149', 'v0') > 0);
  });
});
