import type { App } from './app.ts';

// Every route a module registers is in the API reference (/api/openapi.json),
// unless it is deliberately hidden (`schema: { hide: true }`: the tus protocol,
// the flow transport, media bytes, the reference itself). Run when the app
// becomes ready, so `listen` refuses a route that slipped through undocumented.

export class UndocumentedRoutes extends Error {}

export function undocumentedRoutes(app: App): string[] {
  const paths = (app.swagger() as { paths?: Record<string, Record<string, { summary?: string; description?: string }>> }).paths ?? {};
  const gets = new Set(app.routeTable.filter((r) => r.method === 'GET').map((r) => r.url));
  const missing: string[] = [];
  for (const r of app.routeTable) {
    if (r.hidden) continue;
    if (r.method === 'HEAD' && gets.has(r.url)) continue; // Fastify's automatic HEAD twin of a GET
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{*}'); // the spec's spelling of :param and *
    // the reference lists every route it sees; an entry without a summary says nothing to a reader
    const op = paths[path]?.[r.method.toLowerCase()];
    if (!op?.summary && !op?.description) missing.push(`${r.method} ${r.url}`);
  }
  return missing;
}

export function checkOpenApi(app: App): void {
  const missing = undocumentedRoutes(app);
  if (missing.length) {
    throw new UndocumentedRoutes(
      `Reelm refuses to start: ${missing.length} route(s) have no OpenAPI entry (give them a schema with a summary, or hide them deliberately): ${missing.join(', ')}`,
    );
  }
}
