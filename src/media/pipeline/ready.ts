import { isUniqueViolation } from '../../realm/database.ts';
import type { Encoded } from './encode.ts';
import type { Edited } from './edits.ts';
import type { Published } from './publish.ts';
import type { UploadRun } from './run.ts';
import type { Source } from './source.ts';

// The last step: one transaction flips the upload and the video to ready,
// exactly once (a re-run after a crash finds the upload ready and changes
// nothing), with the sound rows and use counts.

export async function markReady(run: UploadRun, source: Source, edited: Edited, encoded: Encoded, published: Published): Promise<void> {
  const { store, upload, options, prefix } = run;
  const { usedSound } = edited;
  const { ownSound } = published;
  const soundId = ownSound ? ownSound.id : usedSound && usedSound.realm === store.name ? usedSound.id : null;
  const durationMs = Math.round(source.duration * 1000);
  await store.db.transaction().execute(async (trx) => {
    const flipped = await trx
      .updateTable('uploads')
      .set({ state: 'ready', updated_at: Date.now() })
      .where('id', '=', upload.id)
      .where('state', '!=', 'ready')
      .executeTakeFirst();
    if (Number(flipped.numUpdatedRows) !== 1) return;
    if (ownSound) {
      try {
        await trx
          .insertInto('sounds')
          .values({
            id: ownSound.id,
            owner_id: run.owner,
            video_id: upload.video_id,
            title: options.soundTitle?.trim() || 'Original sound',
            audio_key: ownSound.key,
            duration_ms: durationMs,
            usage_count: 1,
            created_at: Date.now(),
          })
          .execute();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    // Use counts are kept where the sound lives; a sound from another realm is counted there (see docs/MEDIA.md).
    if (usedSound && usedSound.realm === store.name)
      await trx
        .updateTable('sounds')
        .set((eb) => ({ usage_count: eb('usage_count', '+', 1) }))
        .where('id', '=', usedSound.id)
        .execute();
    await trx
      .updateTable('videos')
      .set({
        status: 'ready',
        progress: 100,
        renditions: JSON.stringify(published.renditions),
        hls_master_key: `${prefix}hls/master.m3u8`,
        poster_key: published.posterKey,
        thumbnail_keys: JSON.stringify(published.thumbKeys),
        duration_ms: durationMs,
        width: encoded.rungs.at(-1)!.width,
        height: encoded.rungs.at(-1)!.height,
        has_audio: encoded.hasSoundtrack ? 1 : 0,
        sound_id: soundId,
        original_key: encoded.originalKey,
        ready_at: Date.now(),
        updated_at: Date.now(),
      })
      .where('id', '=', upload.video_id)
      .execute();
  });
}
