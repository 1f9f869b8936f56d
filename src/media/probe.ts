import { FFPROBE, runTool } from './tools.ts';

// What ffprobe says about a file, reduced to the facts validation and the
// transcoder need. ffprobe reads headers only (bounded probesize): dimensions
// come from the container/codec headers before any frame is decoded.

export interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
  side_data_list?: { rotation?: number }[];
  tags?: { rotate?: string };
}
export interface ProbeResult {
  streams: ProbeStream[];
  format: { format_name?: string; duration?: string; size?: string; bit_rate?: string };
}

export async function probe(file: string, opts: { timeoutMs: number; signal?: AbortSignal; memoryBytes?: number }): Promise<ProbeResult> {
  const { stdout } = await runTool(
    FFPROBE,
    ['-v', 'error', '-hide_banner', '-probesize', '16M', '-analyzeduration', '10M', '-show_format', '-show_streams', '-of', 'json', file],
    { ...opts, captureStdout: true },
  );
  const parsed = JSON.parse(stdout || '{}') as Partial<ProbeResult>;
  return { streams: parsed.streams ?? [], format: parsed.format ?? {} };
}

export function frameRate(s: ProbeStream): number {
  for (const r of [s.avg_frame_rate, s.r_frame_rate]) {
    const [n, d] = (r ?? '0/0').split('/').map(Number);
    if (n && d) return n / d;
  }
  return 0;
}

/** Clockwise display rotation (phones record landscape and flag portrait). */
export function rotationOf(s: ProbeStream): number {
  const fromSide = s.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const r = fromSide ?? Number(s.tags?.rotate ?? 0);
  return ((Math.round(r) % 360) + 360) % 360;
}

/** Width and height as displayed (after rotation). */
export function displaySize(s: ProbeStream): { width: number; height: number } {
  const w = s.width ?? 0;
  const h = s.height ?? 0;
  return rotationOf(s) % 180 === 90 ? { width: h, height: w } : { width: w, height: h };
}
