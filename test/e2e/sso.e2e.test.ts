import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppProcess, freePort, launchChromium, requireBrowserAndScreen } from '../support/app-process.js'
import { startOidcProvider, type OidcProvider } from '../support/oidc-provider.js'

/**
 * Single sign-on in the browser, end to end: the sign-in page offers it, the provider (a real
 * OpenID Connect provider on a loopback port, test/support/oidc-provider.ts) sends the browser back
 * to the api's callback, and the screen opens signed in with the role and region of the ID token.
 */

let app: AppProcess | undefined
let idp: OidcProvider | undefined
let browser: Browser | undefined
const dataDir = mkdtempSync(join(tmpdir(), 'ioc-sso-e2e-'))

beforeAll(async () => {
  requireBrowserAndScreen()
  const port = await freePort()
  const redirect = `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`
  idp = await startOidcProvider(
    redirect,
    { wang: { preferred_username: 'wang', ioc_role: 'leader', ioc_region: '320102' } },
    'wang',
  )
  app = new AppProcess(port, {
    IOC_DATA_DIR: dataDir,
    IOC_SIMULATE: '5',
    IOC_BACKFILL_HOURS: '1',
    IOC_ALERTS: '0',
    IOC_JWT_SECRET: 'sso-e2e-secret-long-enough-for-hs256',
    IOC_OIDC_ISSUER: idp.issuer,
    IOC_OIDC_CLIENT_ID: 'ioc',
    IOC_OIDC_CLIENT_SECRET: 'ioc-secret',
    IOC_OIDC_REDIRECT_URL: redirect,
  })
  await app.start()
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await app?.stop()
  await idp?.close()
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
})

describe('single sign-on in the browser', () => {
  it('signs in through the identity provider and opens the screen in the account’s district, the token gone from the URL', async () => {
    const ctx = await browser!.newContext({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    try {
      await page.goto(`${app!.base}/login`)
      const sso = page.locator('[data-testid="login-sso"]')
      await sso.waitFor({ timeout: 30_000 })
      await sso.click()
      // Provider → callback → /login#token=… → the screen.
      await page.locator('[data-testid="screen"]').waitFor({ timeout: 60_000 })
      const url = new URL(page.url())
      expect(url.pathname).toBe('/')
      expect(url.hash).toBe('')
      const stored = await page.evaluate(() => ({
        user: JSON.parse(localStorage.getItem('ioc.user') ?? 'null'),
        token: localStorage.getItem('ioc.token'),
      }))
      expect(stored.user).toEqual({ name: 'wang', role: 'leader', region: '320102' })
      // The session works against the api, scoped to the account's district.
      const auth = { headers: { authorization: `Bearer ${stored.token}` } }
      expect((await fetch(`${app!.base}/api/v1/overview?region=320102`, auth)).status).toBe(200)
      expect((await fetch(`${app!.base}/api/v1/overview?region=3201`, auth)).status).toBe(403)
      // Back to the sign-in page with a token that is not valid: an error on the page, nobody signed in.
      await page.evaluate(() => localStorage.clear())
      await page.goto(`${app!.base}/login#token=not-a-token`)
      await expect
        .poll(() => page.locator('[data-testid="login-error"]').textContent(), { timeout: 30_000 })
        .toContain('统一身份认证登录失败')
      expect(await page.evaluate(() => localStorage.getItem('ioc.token'))).toBeNull()
      expect(errors).toEqual([])
    } finally {
      await ctx.close()
    }
  }, 180_000)
})
