import sharp from 'sharp';
import { badRequest } from '../api/errors.ts';

// Avatars are checked by content (sharp reads the real format), never by name
// or declared type; decoded with a pixel cap against decompression bombs, then
// re-encoded (which also drops metadata such as GPS tags) to a 400×400 WebP.

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
const MAX_PIXELS = 40_000_000;
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif']);

export async function processAvatar(input: Buffer): Promise<Buffer> {
  if (input.length === 0) throw badRequest('avatar_empty', 'The avatar file is empty.');
  if (input.length > AVATAR_MAX_BYTES) throw badRequest('avatar_too_large', `Avatars can be at most ${AVATAR_MAX_BYTES / 1024 / 1024} MB.`);
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(input, { limitInputPixels: MAX_PIXELS }).metadata();
  } catch {
    throw badRequest('avatar_not_image', 'That file is not an image we can read. Use a JPEG, PNG, WebP, GIF or AVIF picture.');
  }
  if (!meta.format || !ACCEPTED.has(meta.format)) throw badRequest('avatar_not_image', 'Use a JPEG, PNG, WebP, GIF or AVIF picture.');
  if (!meta.width || !meta.height || meta.width * meta.height > MAX_PIXELS) {
    throw badRequest('avatar_dimensions', 'That picture is too large in pixels (at most 40 megapixels).');
  }
  if (meta.width < 32 || meta.height < 32) throw badRequest('avatar_dimensions', 'That picture is too small; use at least 32×32 pixels.');
  try {
    return await sharp(input, { limitInputPixels: MAX_PIXELS, animated: false }).rotate().resize(400, 400, { fit: 'cover' }).webp({ quality: 82 }).toBuffer();
  } catch {
    throw badRequest('avatar_corrupt', 'That picture is damaged and cannot be read.');
  }
}
