import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

// The gateway serves the web UI under /app/ (infra/ nginx config), next to the service APIs.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [react()],
  // The workspace's pure packages (the workflow language) are read from their TypeScript sources.
  resolve: { conditions: ['trellis-source', ...defaultClientConditions] },
  // TRELLIS_WEBUI_OUT lets a second build (a test's own copy) not empty the one a test serves.
  build: { outDir: process.env.TRELLIS_WEBUI_OUT ?? 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
});
