// Links into the studio for "use this sound" (sound pages, a video's menu) and
// "duet" (a video's menu); the studio reads them back (screens/Upload.tsx). In
// its own module so the feed does not pull the studio's code into its bundle.

export interface Duet {
  videoId: string;
  realm?: string;
  handle: string;
}

export function studioLink(o: { sound?: { id: string; realm?: string; title: string }; duet?: Duet }): string {
  const q = new URLSearchParams();
  if (o.sound) {
    q.set('sound', o.sound.id);
    q.set('soundTitle', o.sound.title);
    if (o.sound.realm) q.set('soundRealm', o.sound.realm);
  }
  if (o.duet) {
    q.set('duet', o.duet.videoId);
    q.set('duetHandle', o.duet.handle);
    if (o.duet.realm) q.set('duetRealm', o.duet.realm);
  }
  return `/upload?${q}`;
}
