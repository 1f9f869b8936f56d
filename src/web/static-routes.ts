import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';

// Serves the single-page web app (web/dist, built by scripts/run.sh) at `/`, as the
// server's not-found fallback (src/api/app.ts).
// Hashed files under /assets/ are immutable; index.html is revalidated on every
// load so a new deploy is picked up at once. Any other path without a file is a
// client route and gets index.html — except the server's own prefixes, which
// keep their JSON 404s so a typo in an API URL never returns HTML.

const RESERVED = ['/api', '/media', '/v', '/healthz', '/metrics', '/flows', '/_reelm'];
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export function defaultWebDir(): string {
  return process.env.REELM_WEB_DIR ?? fileURLToPath(new URL('../../web/dist', import.meta.url));
}

export function isReserved(path: string): boolean {
  return RESERVED.some((p) => path === p || path.startsWith(`${p}/`));
}

function cacheControl(rel: string): string {
  if (rel.startsWith('assets/')) return 'public, max-age=31536000, immutable';
  if (rel === 'index.html' || rel === 'sw.js') return 'no-cache';
  return 'public, max-age=3600';
}

function send(req: FastifyRequest, reply: FastifyReply, root: string, rel: string) {
  const file = join(root, rel);
  const gz = `${file}.gz`;
  const wantsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const useGz = wantsGzip && existsSync(gz);
  const path = useGz ? gz : file;
  const st = statSync(path);
  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}${useGz ? '-gz' : ''}"`;
  reply.header('cache-control', cacheControl(rel)).header('etag', etag).header('vary', 'accept-encoding');
  reply.header('content-type', TYPES[extname(rel)] ?? 'application/octet-stream');
  reply.header('x-content-type-options', 'nosniff');
  if (rel === 'index.html') reply.header('x-frame-options', 'DENY').header('referrer-policy', 'same-origin');
  if (req.headers['if-none-match'] === etag) return reply.status(304).send();
  if (useGz) reply.header('content-encoding', 'gzip');
  reply.header('content-length', st.size);
  return reply.send(req.method === 'HEAD' ? '' : createReadStream(path));
}

/**
 * The web app as the server's not-found fallback, so it adds no route (route-table tests see only the API)
 * and can never shadow one. Returns false when the request is not the app's (an API path, a POST…).
 */
export function webShell(dir?: string) {
  const root = resolve(dir ?? defaultWebDir());
  return (req: FastifyRequest, reply: FastifyReply): false | FastifyReply => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let path: string;
    try {
      path = decodeURIComponent(req.url.split('?')[0]!);
    } catch {
      return false;
    }
    if (isReserved(path)) return false;
    if (!existsSync(join(root, 'index.html'))) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The Reelm web app is not built yet. Run `npm start` (it builds web/), or `cd web && npm ci && npm run build`.');
    }
    const rel = normalize(path).replace(/^[/\\]+/, '');
    const file = join(root, rel);
    if (rel && file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile()) return send(req, reply, root, rel);
    // a missing file with an extension (an old hashed asset, a typo) is a real 404, not the app
    if (extname(rel)) return reply.status(404).type('text/plain; charset=utf-8').send('Not found.');
    return send(req, reply, root, 'index.html');
  };
}
