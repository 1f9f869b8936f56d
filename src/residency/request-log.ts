import type { FastifyInstance } from 'fastify';
import { viewerOf } from '../api/auth.ts';
import { bufferRealmLog } from './realm-log.ts';

// Requests made by a signed-in person are logged in *their* home realm's log
// (logs.dir of its manifest), with the client address: that address is their
// personal data, so it is written nowhere else. The process log keeps only
// method, route, status and request id (src/api/app.ts). The line is buffered
// (realm-log.ts): no synchronous file write on the request path.

async function realmRequestLog(app: FastifyInstance) {
  // callback hook (no promise per request)
  app.addHook('onResponse', (req, reply, done) => {
    const viewer = viewerOf(req);
    if (viewer && app.reelm.realms.has(viewer.realm))
      bufferRealmLog(app.reelm.realms.get(viewer.realm).manifest, 'request', {
        requestId: req.id,
        method: req.method,
        route: req.routeOptions?.url,
        status: reply.statusCode,
        userId: viewer.userId,
        ip: req.ip,
      });
    done();
  });
}
// Applies to every route of the app, not just this plugin's (what fastify-plugin does).
(realmRequestLog as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export { realmRequestLog };
