// Transcode benchmark: the full ladder on a fixed, hard-to-encode 10-second
// 720×1280 30 fps clip (testsrc2 + temporal noise + tone, encoded like a phone
// recording: H.264 10 Mb/s + AAC), on this machine. Two contenders, same outputs:
//   • bare     — ONE hand-written ffmpeg command, as a competent engineer would
//                write it: one decode, `split` into the rungs, single-pass
//                `loudnorm`, AAC once, tee → faststart MP4 + HLS fMP4 per rung
//                and the sound file, poster + 3 thumbnails picked in the graph.
//                No validation, no database, no blob store.
//   • pipeline — upload complete → durable job → validation → loudness pass →
//                encode → blobs → `ready` (the real `media.process` job).
// Rounds alternate the order (bare first, then pipeline first, …) because the
// machine is shared; medians are reported, with CPU seconds (children's
// utime+stime from /proc, plus the pipeline's own process — shown as "Node";
// it includes this script's 20 ms playable-watch queries) so figures stay
// comparable when the load varies.
// Goals: ladder ≥ 1.0× realtime; pipeline ÷ bare < 1.05; first rung playable < 5 s.
// Run: node bench/transcode.ts   (REELM_BENCH_ROUNDS=n, default 3)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, openReelm } from '../src/composition.ts';
import { Worker } from '../src/jobs/worker.ts';
import { mediaJobHandlers } from '../src/media/module.ts';
import { planLadder, type Rung } from '../src/media/ladder.ts';
import { UploadService } from '../src/media/uploads.ts';
import { newId } from '../src/lib/ids.ts';

const SECONDS = 10;
const rounds = Number(process.env.REELM_BENCH_ROUNDS ?? process.env.REELM_BENCH_RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'reelm-bench-transcode-'));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/** CPU seconds of finished (waited-for) child processes — every ffmpeg — from /proc/self/stat cutime + cstime. */
function childCpu(): number {
  const st = readFileSync('/proc/self/stat', 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** The bare equivalent: one ffmpeg command producing the pipeline's outputs, written by hand. */
function bareCommand(src: string, out: string, rungs: Rung[], presetOf: (r: Rung) => string): string[] {
  const gop = '60';
  const args = ['-nostdin', '-hide_banner', '-v', 'error', '-y', '-threads', '2', '-filter_threads', '2', '-i', src];
  const n = rungs.length;
  const stills = [1, 2.5, 5, 7.5];
  const graph = [
    `[0:v:0]fps=30,format=yuv420p,split=${n}${rungs.map((_, i) => `[s${i}]`).join('')}`,
    ...rungs.map((r, i) =>
      i === 0
        ? `[s0]scale=${r.width}:${r.height}:flags=bicubic,setsar=1,split=5[v0][t0][t1][t2][t3]`
        : `[s${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1[v${i}]`,
    ),
    ...stills.map((t, j) => `[t${j}]select='isnan(prev_selected_t)*gte(t\\,${t})'[p${j}]`),
    `[0:a:0]loudnorm=I=-14:TP=-1.5:LRA=11,aresample=48000,aformat=channel_layouts=stereo[a]`,
  ].join(';');
  args.push('-filter_complex', graph);
  const slaves: string[] = [];
  for (const [i, r] of rungs.entries()) {
    const level = r.width * r.height > 921_600 ? '4.0' : '3.1';
    args.push('-map', `[v${i}]`);
    args.push(`-c:v:${i}`, 'libx264', `-preset:v:${i}`, presetOf(r), `-profile:v:${i}`, 'high', `-level:v:${i}`, level, `-pix_fmt:v:${i}`, 'yuv420p');
    args.push(`-threads:v:${i}`, '2', `-crf:v:${i}`, '23', `-maxrate:v:${i}`, String(r.maxrate), `-bufsize:v:${i}`, String(2 * r.maxrate));
    args.push(`-g:v:${i}`, gop, `-keyint_min:v:${i}`, gop, `-sc_threshold:v:${i}`, '0', `-flags:v:${i}`, '+cgop+global_header');
    args.push(`-force_key_frames:v:${i}`, 'expr:gte(t,n_forced*2)');
    mkdirSync(join(out, r.name), { recursive: true });
    slaves.push(`[select=\\'v:${i},a\\':f=mp4:movflags=+faststart]${out}/${r.name}.mp4`);
    slaves.push(
      `[select=\\'v:${i},a\\':f=hls:hls_time=2:hls_playlist_type=vod:hls_segment_type=fmp4:hls_fmp4_init_filename=init.mp4:hls_segment_filename=${out}/${r.name}/seg_%03d.m4s]${out}/${r.name}/index.m3u8`,
    );
  }
  slaves.push(`[select=a:f=mp4:movflags=+faststart]${out}/sound.m4a`);
  args.push('-map', '[a]', '-c:a', 'aac', '-b:a', '128k', '-map_metadata', '-1', '-f', 'tee', slaves.join('|'));
  for (const [j, name] of ['poster', 'thumb-1', 'thumb-2', 'thumb-3'].entries())
    args.push('-map', `[p${j}]`, '-frames:v', '1', '-q:v', '3', `${out}/${name}.jpg`);
  return args;
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
  const rungs = planLadder(720, 1280, config.media.ladder);
  // the same quality settings as the pipeline (its configured presets per rung)
  const presetOf = (r: Rung) => config.media.x264Presets[r.name] ?? config.media.x264Preset;
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
  const worker = new Worker(store, mediaJobHandlers(reelm), { pollMs: 5 });

  async function runBare(i: number) {
    const out = join(dir, `bare-${i}`);
    mkdirSync(out);
    const c0 = childCpu();
    const t0 = performance.now();
    execFileSync('/usr/bin/ffmpeg', bareCommand(src, out, rungs, presetOf), { stdio: ['ignore', 'ignore', 'inherit'] });
    return { wall: (performance.now() - t0) / 1000, cpu: childCpu() - c0 };
  }

  async function runPipeline() {
    const size = statSync(src).size;
    const upload = await uploads.create(store, { ownerId: owner, method: 'multipart', sizeBytes: size, options: {} });
    await uploads.received(store, upload.id, src, size);
    const s0 = selfCpu();
    const c0 = childCpu() + s0;
    const t0 = performance.now(); // upload complete: bytes stored, job queued
    let playableAt = 0;
    let playableChecked = false;
    const watch = setInterval(async () => {
      if (playableAt) return;
      const v = await store.db.selectFrom('videos').select(['renditions', 'hls_master_key']).where('id', '=', upload.video_id).executeTakeFirst();
      if (!v || v.renditions === '[]') return;
      playableAt = performance.now();
      // honest "playable": the master and the lowest rung's playlist are published and name a stored segment
      const r0 = JSON.parse(v.renditions)[0];
      const master = (await store.blobs.getBuffer(v.hls_master_key!)).toString();
      const playlist = (await store.blobs.getBuffer(r0.hlsKey)).toString();
      const seg = playlist.split('\n').find((l) => l.endsWith('.m4s'));
      const segKey = r0.hlsKey.replace(/index\.m3u8$/, seg ?? 'missing');
      playableChecked = master.includes(`${r0.name}/index.m3u8`) && seg !== undefined && (await store.blobs.stat(segKey)) !== undefined;
    }, 20);
    await worker.runOnce();
    const t1 = performance.now();
    clearInterval(watch);
    const v = await store.db.selectFrom('videos').select(['status']).where('id', '=', upload.video_id).executeTakeFirstOrThrow();
    if (v.status !== 'ready') throw new Error(`pipeline run ended ${v.status}`);
    if (!playableChecked) throw new Error('the first rung was not playable before ready');
    const s1 = selfCpu();
    return { wall: (t1 - t0) / 1000, cpu: childCpu() + s1 - c0, node: s1 - s0, first: ((playableAt || t1) - t0) / 1000 };
  }

  const load0 = loadavg()[0]!;
  const rows: { order: string; bare: { wall: number; cpu: number }; pipe: { wall: number; cpu: number; node: number; first: number } }[] = [];
  for (let i = 0; i < rounds; i++) {
    const bareFirst = i % 2 === 0;
    let bare, pipe;
    if (bareFirst) {
      bare = await runBare(i);
      pipe = await runPipeline();
    } else {
      pipe = await runPipeline();
      bare = await runBare(i);
    }
    rows.push({ order: bareFirst ? 'bare→pipe' : 'pipe→bare', bare, pipe });
  }
  await reelm.close();
  const load1 = loadavg()[0]!;

  const f = (x: number, d = 2) => x.toFixed(d).padStart(7);
  console.log(
    `transcode benchmark — ${SECONDS} s 720×1280 30 fps testsrc2+noise, ladder ${rungs.map((r) => `${r.name} ${r.width}×${r.height}`).join(' + ')}, libx264 ${rungs.map((r) => `${r.name} ${presetOf(r)}`).join(', ')}, ${rounds} rounds (alternating order), load average ${load0.toFixed(1)} → ${load1.toFixed(1)} on ${2} cores`,
  );
  console.log('  round  order       bare wall  bare CPU   pipe wall  pipe CPU (Node)    pipe/bare wall  pipe/bare CPU  first rung');
  for (const [i, r] of rows.entries()) {
    console.log(
      `  ${String(i + 1).padStart(5)}  ${r.order}  ${f(r.bare.wall)} s  ${f(r.bare.cpu)} s  ${f(r.pipe.wall)} s  ${f(r.pipe.cpu)} s (${r.pipe.node.toFixed(2)})   ${f(r.pipe.wall / r.bare.wall, 3)}         ${f(r.pipe.cpu / r.bare.cpu, 3)}       ${f(r.pipe.first)} s`,
    );
  }
  const bw = median(rows.map((r) => r.bare.wall));
  const bc = median(rows.map((r) => r.bare.cpu));
  const pw = median(rows.map((r) => r.pipe.wall));
  const pc = median(rows.map((r) => r.pipe.cpu));
  const ratioWall = median(rows.map((r) => r.pipe.wall / r.bare.wall));
  const ratioCpu = median(rows.map((r) => r.pipe.cpu / r.bare.cpu));
  const first = median(rows.map((r) => r.pipe.first));
  const firstShare = median(rows.map((r) => r.pipe.first / r.pipe.wall));
  console.log('  medians');
  console.log(
    `    ladder, bare ffmpeg:        ${f(bw)} s wall → ${(SECONDS / bw).toFixed(2)}× realtime;  ${f(bc)} CPU-s → ${(SECONDS / (bc / 2)).toFixed(2)}× with both cores free   (goal ≥ 1.0×)`,
  );
  console.log(
    `    ladder, pipeline:           ${f(pw)} s wall → ${(SECONDS / pw).toFixed(2)}× realtime;  ${f(pc)} CPU-s → ${(SECONDS / (pc / 2)).toFixed(2)}× with both cores free`,
  );
  console.log(`    pipeline ÷ bare:            wall ${ratioWall.toFixed(3)}, CPU ${ratioCpu.toFixed(3)}   (goal < 1.05)`);
  console.log(
    `    first rung playable after:  ${f(first)} s (${(firstShare * 100).toFixed(0)} % of the pipeline's wall; ≈ ${(firstShare * (pc / 2)).toFixed(2)} s with both cores free)   (goal < ${SECONDS / 2} s)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
