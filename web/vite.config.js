// Vite build of garant's web front end.
// `npm run build` writes the single-page app into src/garant/web/static/, which
// `garant serve` (FastAPI) serves at /. `npm run dev` proxies the API to a running
// `garant serve` on 127.0.0.1:8765.
import { defineConfig } from 'vite';

const backend = 'http://127.0.0.1:8765';

export default defineConfig({
  // Relative asset URLs: the app also works when served below a path prefix.
  base: './',
  build: {
    outDir: '../src/garant/web/static',
    emptyOutDir: true,
    // MapLibre GL JS alone is about 1 MB minified; one chunk is fine for a local app.
    chunkSizeWarningLimit: 1600,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': backend, '/reports': backend },
  },
});
