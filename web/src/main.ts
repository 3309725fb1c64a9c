// Fonts are bundled (the wall is offline): the CJK face is split by unicode-range so the browser
// fetches only the slices it needs, from this origin.
import '@fontsource/noto-sans-sc/400.css'
import '@fontsource/noto-sans-sc/700.css'
import '@fontsource/rajdhani/600.css'
import '@fontsource/rajdhani/700.css'
import './styles/base.css'

import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { api, configureApi } from './api'
import { router } from './router'
import { useSessionStore } from './stores/session'
import { setCityTimeZone } from './util/time'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)

const session = useSessionStore(pinia)
configureApi({
  getToken: () => session.token,
  onUnauthorized: () => {
    session.clear()
    const here = router.currentRoute.value
    if (here.name !== 'login') void router.replace({ name: 'login', query: here.fullPath !== '/' ? { next: here.fullPath } : {} })
  },
})

app.use(router)
// The city's time zone decides what "today" is; without an answer the screen keeps Beijing time.
api.loginInfo().then(
  (info) => setCityTimeZone(info.tz),
  () => undefined,
).finally(() => app.mount('#app'))
