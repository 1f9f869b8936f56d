import { z } from 'zod';

// The `media` section of the configuration: upload limits, accepted formats,
// the rendition ladder and the worker's resource caps. Every limit a person can
// hit has a refusal code (see src/media/refusals.ts) and is listed in docs/MEDIA.md.

export const mediaConfigSchema = z
  .object({
    /** largest upload accepted, bytes */
    maxBytes: z
      .number()
      .int()
      .positive()
      .default(500 * 1024 * 1024),
    /** longest video accepted, seconds (after trimming is *not* considered: the upload itself) */
    maxDurationSeconds: z.number().positive().default(600),
    minDurationSeconds: z.number().nonnegative().default(0.5),
    /** the shorter side must be at least this many pixels */
    minShortSide: z.number().int().positive().default(144),
    /** the longer side may be at most this many pixels (4K) */
    maxLongSide: z.number().int().positive().default(4096),
    /** width × height cap, checked from the header before anything is decoded (decompression bombs) */
    maxPixels: z
      .number()
      .int()
      .positive()
      .default(4096 * 2304),
    maxFrameRate: z.number().positive().default(120),
    /** ffprobe format names (a container is accepted when one of its names is listed) */
    containers: z.array(z.string()).default(['mov', 'mp4', 'm4a', '3gp', 'matroska', 'webm']),
    videoCodecs: z.array(z.string()).default(['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg4']),
    audioCodecs: z
      .array(z.string())
      .default(['aac', 'mp3', 'opus', 'vorbis', 'flac', 'alac', 'ac3', 'eac3', 'pcm_s16le', 'pcm_s16be', 'pcm_s24le', 'pcm_f32le']),
    /** rendition ladder by the output's shorter side; rungs above the source's size are skipped (never upscaled) */
    ladder: z.array(z.number().int().positive()).default([540, 720, 1080]),
    /** x264 preset of every rung not listed in `x264Presets` */
    x264Preset: z.string().default('veryfast'),
    /**
     * x264 preset by rung name. The larger rungs use superfast: on the benchmark's
     * noisy 720p clip it saves ~3 of ~20 CPU-seconds (the ladder reaches realtime on
     * 2 cores) for −0.25 dB PSNR / +7 % bytes under the same bitrate cap (docs/MEDIA.md).
     */
    x264Presets: z.record(z.string(), z.string()).default({ '720p': 'superfast', '1080p': 'superfast' }),
    /** keep the uploaded original in the realm's blob store */
    keepOriginal: z.boolean().default(true),
    /** per-account limits */
    uploadsPerHour: z.number().int().positive().default(30),
    bytesPerDay: z
      .number()
      .int()
      .positive()
      .default(5 * 1024 * 1024 * 1024),
    /** unfinished resumable uploads are removed, bytes included, after this long without activity */
    uploadExpirySeconds: z
      .number()
      .int()
      .positive()
      .default(24 * 3600),
    /** how often the upload housekeeping task looks for expired unfinished uploads */
    housekeepingSeconds: z.number().positive().default(60),
    /** threads per ffmpeg run; workers run one job at a time per slot */
    ffmpegThreads: z.number().int().positive().default(2),
    workerConcurrency: z.number().int().positive().default(1),
    /** a job whose worker stops heartbeating is claimed again this long after its last heartbeat */
    jobLeaseSeconds: z.number().positive().default(60),
    /** ffprobe and validation runs are killed after this long */
    probeTimeoutSeconds: z.number().positive().default(20),
    /** a transcode is killed after max(60 s, duration × this factor) */
    transcodeTimeoutFactor: z.number().positive().default(20),
    /** address space cap for each ffmpeg process (bytes; 0 = none) */
    ffmpegMemoryBytes: z
      .number()
      .int()
      .nonnegative()
      .default(3 * 1024 * 1024 * 1024),
  })
  .prefault({});

export type MediaConfig = z.infer<typeof mediaConfigSchema>;
