// Control characters (line breaks and tabs stay) and bidi overrides, which can disguise text
// (a handle that reads backwards, a link that hides its end). Stripped from every text a
// person writes that others read: captions, comments, display names, bios.
// eslint-disable-next-line no-control-regex
const UNWANTED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /[\t\n\r]+/g;

/** NFC, without control or bidi-override characters, trimmed. */
export function stripUnsafeChars(text: string): string {
  return text.normalize('NFC').replace(UNWANTED, '').trim();
}

/** As stripUnsafeChars, and on one line (names). */
export function oneLine(text: string): string {
  return stripUnsafeChars(text).replace(LINE_BREAKS, ' ');
}
