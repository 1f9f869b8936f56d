import { createHmac } from 'node:crypto';

// The media cookie: a per-person value, set beside a browser's session cookie (path /media,
// HttpOnly), that viewer-bound media links are signed with for the edge. nginx checks such a
// link alone (secure_link over expiry, URI, this cookie and the edge secret;
// deploy/nginx/reelm.conf), with no call to Node: a link copied to another person fails there,
// since their cookie differs, and Node then refuses it as before. Derived from the server
// secret and the person's id, so nothing is stored and every process of a deployment agrees.

export const MEDIA_COOKIE = 'reelm_media';
export const MEDIA_COOKIE_PATH = '/media';

export function mediaCookieValue(serverSecret: string, userId: string): string {
  return createHmac('sha256', serverSecret).update(`reelm media cookie v1\n${userId}`).digest('base64url');
}
