import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'

/**
 * The screen's one alias, `#core/…` (tsconfig.json `paths`); vite must probe extensions, which Node's `imports` cannot.
 */
export const alias = [{ find: /^#core\//, replacement: fileURLToPath(new URL('./core/', import.meta.url)) }]

const api = `http://localhost:${process.env.IOC_API_PORT ?? 8080}`
export default defineConfig({
  root: 'web',
  base: '/',
  plugins: [vue()],
  resolve: { alias },
  // vue-i18n's build flags: Composition API only (the legacy API is dropped from the bundle), no devtools.
  define: { __VUE_I18N_LEGACY_API__: 'false', __VUE_I18N_FULL_INSTALL__: 'true', __INTLIFY_PROD_DEVTOOLS__: 'false' },
  // The wall is offline: nothing may be fetched from another origin, so every asset is bundled.
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2500,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'vendor-maplibre', test: /node_modules[\\/]maplibre-gl/ },
            { name: 'vendor-deck', test: /node_modules[\\/]@(deck|luma|loaders|math|probe)\.gl/ },
            { name: 'vendor-echarts', test: /node_modules[\\/](echarts|zrender)/ },
            { name: 'vendor-vue', test: /node_modules[\\/](@vue|vue|vue-router|pinia)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, ws: true, changeOrigin: true },
      '/ingest': { target: api, changeOrigin: true },
      '/healthz': { target: api, changeOrigin: true },
      '/city.json': { target: api, changeOrigin: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: api, ws: true, changeOrigin: true },
      '/ingest': { target: api, changeOrigin: true },
      '/healthz': { target: api, changeOrigin: true },
      '/city.json': { target: api, changeOrigin: true },
    },
  },
})
