import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The gateway serves the web UI under /app/ (infra/ nginx config), next to the service APIs.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
