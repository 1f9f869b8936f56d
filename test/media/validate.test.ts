import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaConfigSchema } from '../../src/media/media-config.ts';
import { validateMedia } from '../../src/media/validate.ts';
import { MediaRefusal } from '../../src/media/refusals.ts';
import { badFiles, makeClip } from './corpus.ts';

// Validation by content on its own (no database): every hostile file gets its
// own refusal code and a sentence; good clips pass with the right facts.

const limits = mediaConfigSchema.parse({ maxBytes: 50 * 1024 * 1024 });

test('validation by content', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reelm-corpus-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.ok(badFiles.length >= 25, `corpus has ${badFiles.length} files`);

  for (const bad of badFiles) {
    await t.test(`${bad.name} → ${bad.expect}`, async () => {
      const file = bad.make(dir);
      await assert.rejects(validateMedia(file, limits), (err: unknown) => {
        assert.ok(err instanceof MediaRefusal, `expected a refusal, got ${err}`);
        assert.equal(err.code, bad.expect, `${bad.name}: ${err.message}`);
        assert.ok(err.message.length > 10 && !/undefined|NaN/.test(err.message), err.message);
        return true;
      });
    });
  }

  await t.test('a file over the size limit is refused before it is read', async () => {
    const file = makeClip(join(dir, 'ok-for-size.mp4'));
    await assert.rejects(validateMedia(file, { ...limits, maxBytes: 1000 }), (e: MediaRefusal) => e.code === 'too_large');
  });

  await t.test('a good vertical clip passes with its facts, whatever its name', async () => {
    const file = makeClip(join(dir, 'clip.txt'), { w: 180, h: 320, seconds: 2, extra: ['-f', 'mp4'] });
    const facts = await validateMedia(file, limits);
    assert.equal(facts.width, 180);
    assert.equal(facts.height, 320);
    assert.ok(Math.abs(facts.durationSeconds - 2) < 0.1);
    assert.equal(facts.videoCodec, 'h264');
    assert.equal(facts.audioCodec, 'aac');
  });
});
