import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  // WebKitGTK and WKWebView run the desk; Edge WebView2 on Windows is newer still.
  build: { target: 'safari15', outDir: 'dist', emptyOutDir: true },
  // The message catalogues live with the domain crate, one folder up from the front end.
  server: { fs: { allow: ['..'] } },
  // Component tests mount Svelte's browser build.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  test: { environment: 'jsdom', include: ['src/**/*.test.ts'] },
});
