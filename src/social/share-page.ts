import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { viewerOf } from '../api/auth.ts';
import { getPost } from './posts.ts';

// GET /v/<id>: the page a shared link (POST /posts/:id/shares) opens. Small,
// server-rendered HTML with Open Graph tags so link previews work, and a link
// into the web app (/watch/<id>). Visibility is the one rule (getPost): a
// hidden, private or missing post gets the same 404 page. Media tags only for
// public posts — a signed, viewer-bound link must never land in a preview.

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
${head}</head>
<body>${body}</body></html>
`;
}

const notFoundPage = page('Not found · Reelm', '', '<h1>This video is not available</h1><p><a href="/">Reelm</a></p>');

export const sharePageRoutes: FastifyPluginAsyncZod = async (app) => {
  const reelm = app.reelm;
  app.get('/v/:id', { schema: { hide: true, params: z.object({ id: z.string().max(64) }) } }, async (req, reply) => {
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; img-src *; style-src 'unsafe-inline'")
      .header('x-content-type-options', 'nosniff');
    const post = /^[A-Za-z0-9_-]+$/.test(req.params.id) ? await getPost(reelm, viewerOf(req), req.params.id) : undefined;
    if (!post) return reply.status(404).header('cache-control', 'no-store').send(notFoundPage);
    const base = reelm.config.http.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.host}`;
    const abs = (u: string) => (/^https?:\/\//.test(u) ? u : `${base}${u}`);
    const name = post.author.displayName || post.author.handle;
    const title = `${name} (@${post.author.handle}) on Reelm`;
    const description = post.caption.slice(0, 300) || `A video by @${post.author.handle}`;
    const watch = `/watch/${encodeURIComponent(post.id)}`;
    const pub = post.audience === 'public';
    const meta = (p: string, v: string) => `<meta property="${p}" content="${esc(v)}">\n`;
    let head = meta('og:type', 'video.other') + meta('og:title', title) + meta('og:description', description) + meta('og:url', `${base}/v/${post.id}`);
    head += `<meta name="description" content="${esc(description)}">\n`;
    if (pub && post.posterUrl) head += meta('og:image', abs(post.posterUrl));
    if (pub && post.playUrl) head += meta('og:video', abs(post.playUrl)) + meta('og:video:type', 'video/mp4');
    const body = `<main><h1>${esc(title)}</h1><p>${esc(post.caption)}</p><p><a href="${esc(watch)}">Watch on Reelm</a></p></main>`;
    return reply.header('cache-control', pub ? 'public, max-age=60' : 'private, no-store').send(page(title, head, body));
  });
};
