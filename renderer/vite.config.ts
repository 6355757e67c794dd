import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The renderer is served by the Node host (http://127.0.0.1) and loaded by Electron from disk,
// under a CSP without 'unsafe-inline' scripts or 'unsafe-eval': relative asset paths, one external
// module entry, no inline scripts, CSS in files.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2048,
  },
  server: { host: '127.0.0.1' },
});
