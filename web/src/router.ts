import { createRouter, createWebHistory } from 'vue-router'
import { useSessionStore } from './stores/session'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'screen', component: () => import('./pages/ScreenPage.vue'), meta: { auth: true } },
    { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue') },
    { path: '/studio', name: 'studio', component: () => import('./pages/studio/StudioPage.vue'), meta: { auth: true } },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach((to) => {
  const session = useSessionStore()
  if (to.meta.auth && !session.isLoggedIn) {
    return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  }
  // Back from single sign-on with a new session (`#token=`): that one replaces whoever was signed in.
  if (to.name === 'login' && session.isLoggedIn && !to.hash.startsWith('#token=')) return { name: 'screen' }
  return true
})
