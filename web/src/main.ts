// Fonts are bundled (the wall is offline): the CJK face is split by unicode-range so the browser
// fetches only the slices it needs, from this origin.
import '@fontsource/noto-sans-sc/400.css'
import '@fontsource/noto-sans-sc/700.css'
import '@fontsource/rajdhani/600.css'
import '@fontsource/rajdhani/700.css'
import './styles/base.css'

import { createPinia } from 'pinia'
import { createApp, watchEffect } from 'vue'
import App from './App.vue'
import { i18n, loc, t } from './i18n'
import { api, ApiError, configureApi } from './api'
import { cityInfo, loadCityInfo } from './util/city'
import { router } from './router'
import { useSessionStore } from './stores/session'
import { setCityTimeZone } from './util/time'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)

const session = useSessionStore(pinia)
configureApi({
  getToken: () => session.token,
  onUnauthorized: () => {
    session.clear()
    const here = router.currentRoute.value
    if (here.name !== 'login')
      void router.replace({ name: 'login', query: here.fullPath !== '/' ? { next: here.fullPath } : {} })
  },
  // A 401 refusal of the renewal itself has already signed out (onUnauthorized above).
  renew: async () => {
    try {
      const res = await api.refresh()
      session.renew(res)
      return res.token
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null
      throw e
    }
  },
})

app.use(router)

// A wall must never end on an error page: a failing component is reported and the rest of the
// screen keeps running (its panel shows its own error or stale state).
app.config.errorHandler = (err, _instance, info) => {
  console.warn('[screen] component error', info, err)
}
window.addEventListener('unhandledrejection', (e) => {
  e.preventDefault()
  console.warn('[screen] unhandled rejection', e.reason)
})
// After a redeploy the old page asks for chunks that no longer exist: load the new page instead.
router.onError((err: unknown) => {
  if (
    /dynamically imported module|Importing a module script failed|Failed to fetch/i.test(
      String((err as Error)?.message ?? err),
    )
  ) {
    reloadWhenServed()
  }
})

/** Reload only once the server answers: a reload while it is down would show the browser's error page. */
function reloadWhenServed(): void {
  fetch('/healthz', { cache: 'no-store' }).then(
    (r) => (r.ok ? location.reload() : setTimeout(reloadWhenServed, 5000)),
    () => setTimeout(reloadWhenServed, 5000),
  )
}
// A reload while the server is down must still show the screen (web/public/sw.js). Service workers
// need a secure context: localhost, or the wall served over HTTPS.
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register('/sw.js').catch((err: unknown) => console.warn('[screen] no offline shell', err))
}
// The city's time zone decides what "today" is; without an answer the screen keeps the browser's.
// Its name titles the login page; without it the title waits for the regions.
Promise.allSettled([
  api.loginInfo().then((info) => setCityTimeZone(info.tz)),
  loadCityInfo().catch((err: unknown) => console.warn('[screen] no city info', err)),
]).finally(() => app.mount('#app'))
// The tab's title names the configured city in the chosen language (index.html has no city in it).
watchEffect(() => {
  const city = cityInfo.value ? loc({ zh: cityInfo.value.name, en: cityInfo.value.name_en }) : ''
  document.title = `${city}${t('app.centre')} · ${t('app.brand')}`
})
