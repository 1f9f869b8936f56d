import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// Precompressed .gz next to every text asset: Reelm's static route sends them
// to browsers that accept gzip, so no CPU is spent compressing per request.
function precompress(): Plugin {
  return {
    name: 'reelm-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
      for (const f of walk('dist')) if (/\.(js|css|html|svg|webmanifest|json)$/.test(f)) writeFileSync(`${f}.gz`, gzipSync(readFileSync(f), { level: 9 }));
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
  build: { target: 'es2022', sourcemap: false },
  server: { proxy: { '/api': 'http://localhost:8080', '/media': 'http://localhost:8080', '/v': 'http://localhost:8080' } },
});
