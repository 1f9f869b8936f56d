// Transcode benchmark: the full ladder on a fixed, hard-to-encode 10-second
// 720×1280 30 fps clip (testsrc2 + noise + tone), on this machine.
//   • ladder realtime factor = clip seconds ÷ wall seconds of the bare ffmpeg runs
//   • pipeline overhead      = pipeline wall (upload complete → ready) ÷ bare ffmpeg wall
//   • first rung playable    = upload complete → lowest rung published
// Goals: ≥ 1.0× realtime, overhead < 5 %, first rung < 5 s.
// The source is encoded like a phone recording (H.264 at 10 Mb/s + AAC).
// Run: node bench/transcode.ts   (REELM_BENCH_RUNS=n for n runs, median reported)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { openReelm } from '../src/context.ts';
import { Worker } from '../src/jobs/worker.ts';
import { jobHandlers } from '../src/jobs/handlers.ts';
import { planLadder } from '../src/media/ladder.ts';
import { encodeFirstRung, encodeRungs, stills } from '../src/media/transcode.ts';
import { UploadService } from '../src/media/uploads.ts';
import { newId } from '../src/lib/ids.ts';

const SECONDS = 10;
const runs = Number(process.env.REELM_BENCH_RUNS ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'reelm-bench-transcode-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** CPU seconds used by finished child processes (ffmpeg): /proc/self/stat cutime + cstime. */
function childCpu(): number {
  const st = readFileSync('/proc/self/stat', 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

try {
  const src = join(dir, 'source.mp4');
  execFileSync('/usr/bin/ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=720x1280:r=30:d=${SECONDS},noise=alls=15:allf=t`,
    '-f',
    'lavfi',
    '-i',
    `sine=f=440:d=${SECONDS}`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-b:v',
    '10M',
    '-maxrate',
    '10M',
    '-bufsize',
    '20M',
    '-c:a',
    'aac',
    '-movflags',
    '+faststart',
    src,
  ]);

  const config = loadConfig({}, { dataDir: join(dir, 'data'), logLevel: 'silent', workers: false, secret: 'b'.repeat(64) });
  const limits = config.media;
  const run = { threads: limits.ffmpegThreads, preset: 'veryfast', memoryBytes: limits.ffmpegMemoryBytes, timeoutMs: 600_000 };
  const rungs = planLadder(720, 1280, limits.ladder);

  // Bare: the same ffmpeg runs the pipeline makes, back to back, nothing else.
  const bare: number[] = [];
  const bareCpu: number[] = [];
  const load = loadavg()[0]!;
  for (let i = 0; i < runs; i++) {
    const c0 = childCpu();
    const out = join(dir, `bare-${i}`);
    mkdirSync(out);
    const t0 = performance.now();
    const first = await encodeFirstRung(src, { rung: rungs[0]!, fps: 30, duration: SECONDS, audio: { kind: 'source' }, outDir: out, run });
    await stills(first.mp4, SECONDS, out, run);
    await encodeRungs(src, { rungs: rungs.slice(1), fps: 30, duration: SECONDS, audioFrom: first.mp4, outDir: out, run });
    bare.push((performance.now() - t0) / 1000);
    bareCpu.push(childCpu() - c0);
  }

  // Pipeline: upload complete → durable job → validation → ladder → blobs → ready.
  const reelm = await openReelm(config);
  const store = reelm.realms.get('us');
  const owner = newId();
  await store.db
    .insertInto('users')
    .values({
      id: owner,
      handle: 'bench',
      handle_key: 'bench',
      email: 'bench@example.com',
      password_hash: 'x',
      birth_date: '1990-01-01',
      country: 'US',
      home_realm: 'us',
      display_name: 'Bench',
      bio: '',
      avatar_key: null,
      links: '[]',
      is_private: 0,
      follower_count: 0,
      following_count: 0,
      created_at: Date.now(),
      password_changed_at: Date.now(),
    } as any)
    .execute();
  const uploads = new UploadService(reelm);
  const worker = new Worker(store, jobHandlers(reelm, { preset: 'veryfast' }), { pollMs: 5 });
  const pipeline: number[] = [];
  const firstRung: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { statSync } = await import('node:fs');
    const upload = await uploads.create(store, { ownerId: owner, method: 'multipart', sizeBytes: statSync(src).size, options: {} });
    await uploads.received(store, upload.id, src, statSync(src).size);
    const t0 = performance.now(); // upload complete: bytes stored, job queued
    let playableAt = 0;
    const watch = setInterval(async () => {
      if (playableAt) return;
      const v = await store.db.selectFrom('videos').select('renditions').where('id', '=', upload.video_id).executeTakeFirst();
      if (v && v.renditions !== '[]') playableAt = performance.now();
    }, 20);
    await worker.runOnce();
    const t1 = performance.now();
    clearInterval(watch);
    const v = await store.db.selectFrom('videos').select(['status']).where('id', '=', upload.video_id).executeTakeFirstOrThrow();
    if (v.status !== 'ready') throw new Error(`pipeline run ended ${v.status}`);
    pipeline.push((t1 - t0) / 1000);
    firstRung.push(((playableAt || t1) - t0) / 1000);
  }
  await reelm.close();

  const b = median(bare);
  const cpu = median(bareCpu);
  const p = median(pipeline);
  const f = median(firstRung);
  console.log(
    `transcode benchmark — ${SECONDS} s 720×1280 30 fps testsrc2+noise, ladder ${rungs.map((r) => `${r.name} ${r.width}×${r.height}`).join(', ')}, libx264 veryfast, ${runs} run(s), median`,
  );
  console.log(`  bare ffmpeg (same commands):   ${b.toFixed(2)} s  → ladder ${(SECONDS / b).toFixed(2)}× realtime   (goal ≥ 1.0×)`);
  console.log(
    `  bare ffmpeg CPU time:          ${cpu.toFixed(2)} s  → ${(SECONDS / (cpu / 2)).toFixed(2)}× realtime if it had both cores to itself (load average at start ${load.toFixed(1)})`,
  );
  console.log(`  pipeline (upload → ready):     ${p.toFixed(2)} s  → overhead ${((p / b - 1) * 100).toFixed(1)} % (ratio ${(p / b).toFixed(3)}; goal < 5 %)`);
  console.log(`  first rung playable after:     ${f.toFixed(2)} s  (goal < ${SECONDS / 2} s)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
