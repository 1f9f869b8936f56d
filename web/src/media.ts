// Progressive MP4 plays natively everywhere we target; hls.js (≈150 KB) is
// fetched only for an HLS source on a browser without native HLS.
export async function attachSource(video: HTMLVideoElement, url: string): Promise<() => void> {
  const isHls = /\.m3u8(\?|$)/.test(url);
  if (!isHls || video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = url;
    return () => video.removeAttribute('src');
  }
  const { default: Hls } = await import('hls.js');
  const hls = new Hls();
  hls.loadSource(url);
  hls.attachMedia(video);
  return () => hls.destroy();
}
