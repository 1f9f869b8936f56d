import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Runs nginx with the shipped deploy/nginx/reelm.conf (its three marked values
// replaced) in a temp folder, loopback only, for tests and benchmarks.

export function nginxBinary(): string | undefined {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Installs Debian's nginx when missing and running as root (benchmarks); returns the binary or undefined. */
export function ensureNginx(): string | undefined {
  const found = nginxBinary();
  if (found || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return found;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'nginx'], { stdio: 'inherit', env });
  return nginxBinary();
}

export interface RunningNginx {
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startNginx(opts: NginxSiteOptions): Promise<RunningNginx> {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed (apt-get install nginx)');
  const dir = writeNginxConfig(opts);
  const child: ChildProcess = spawn(bin, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; ; i++) {
    if (await canConnect(opts.port)) break;
    if (child.exitCode !== null || i > 100) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start: ${stderr}${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port: opts.port,
    dir,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface NginxSiteOptions {
  /** one API process, or several (`upstreamPorts`: nginx balances over them, as a scaled-out realm runs) */
  upstreamPort: number;
  upstreamPorts?: readonly number[];
  dataDir: string;
  port: number;
  extraServers?: string;
  edgeSecret?: string;
}

/** A temp folder with nginx.conf (a whole nginx configuration around the shipped site) and reelm.conf; returns the folder. */
export function writeNginxConfig(opts: NginxSiteOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'reelm-nginx-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const site = readFileSync(resolve('deploy/nginx/reelm.conf'), 'utf8')
    .replace('server 127.0.0.1:8080;', (opts.upstreamPorts ?? [opts.upstreamPort]).map((p) => `server 127.0.0.1:${p};`).join('\n    '))
    .replace('listen 80;', `listen 127.0.0.1:${opts.port};`)
    .replaceAll('alias /var/lib/reelm/realms/', `alias ${resolve(opts.dataDir)}/realms/`)
    .replace('proxy_cache_path /var/cache/nginx/reelm_media_access', `proxy_cache_path ${dir}/media_access`)
    .replace('REELM_EDGE_SECRET', opts.edgeSecret ?? 'not-configured');
  writeFileSync(join(dir, 'reelm.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
${process.getuid?.() === 0 ? 'user root;' : ''}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/reelm.conf;
  ${opts.extraServers ?? ''}
}
`,
  );
  return dir;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), r(true)));
    s.once('error', () => r(false));
  });
}

/** A free loopback port (briefly bound, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((r, j) => {
    const srv = createServer();
    srv.once('error', j);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => r(p));
    });
  });
}
