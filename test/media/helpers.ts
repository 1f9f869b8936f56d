import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Injector, TestUser } from '../helpers/users.ts';
import type { RealmStore } from '../../src/realm/store.ts';
import { mediaJobHandlers } from '../../src/media/module.ts';
import { Worker } from '../../src/jobs/worker.ts';
import type { Reelm } from '../../src/context.ts';

export function ffprobeJson(file: string): any {
  return JSON.parse(execFileSync('/usr/bin/ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file], { encoding: 'utf8' }));
}

/** Decodes every frame; throws on a decode error. */
export function decodes(file: string) {
  execFileSync('/usr/bin/ffmpeg', ['-nostdin', '-v', 'error', '-xerror', '-threads', '1', '-i', file, '-f', 'null', '-'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** EBU R128 integrated loudness (LUFS) of a file's soundtrack, measured by ffmpeg's ebur128 filter. */
export function integratedLoudness(file: string): number {
  const r = spawnSync('/usr/bin/ffmpeg', ['-nostdin', '-hide_banner', '-nostats', '-i', file, '-map', '0:a:0', '-af', 'ebur128', '-f', 'null', '-'], {
    encoding: 'utf8',
  });
  const m = /I:\s+(-?[\d.]+) LUFS/.exec(r.stderr.slice(r.stderr.lastIndexOf('Summary:')));
  if (!m) throw new Error(`no loudness measured for ${file}: ${r.stderr.slice(-300)}`);
  return Number(m[1]);
}

export function mediaWorker(reelm: Reelm, store: RealmStore, opts: { preset?: string } = {}) {
  return new Worker(store, mediaJobHandlers(reelm, { preset: opts.preset ?? 'veryfast' }), { pollMs: 10, backoff: { baseMs: 10, maxMs: 50 } });
}

export async function blobKeys(store: RealmStore, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const b of store.blobs.list(prefix)) out.push(b.key);
  return out;
}

export function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

export async function count(store: RealmStore, table: 'videos' | 'sounds' | 'uploads' | 'jobs', where?: [string, string]): Promise<number> {
  let q = store.db.selectFrom(table as 'videos').select((e) => e.fn.countAll<number>().as('n'));
  if (where) q = q.where(where[0] as any, '=', where[1]);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

export function multipart(file: Buffer, name: string, options?: unknown) {
  const boundary = `----reelm${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  if (options !== undefined) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="options"\r\n\r\n${JSON.stringify(options)}\r\n`));
  parts.push(
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: video/mp4\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export async function uploadMultipart(r: Injector, user: TestUser, file: string, options?: unknown) {
  const m = multipart(readFileSync(file), basename(file), options);
  return r.app.inject({ method: 'POST', url: '/api/v1/uploads', payload: m.payload, headers: { ...user.headers, ...m.headers } });
}
