import type { Page } from 'playwright-core'

/**
 * Sign in through the API with a demo account (IOC_DEMO=1) and hand the session to the page as the
 * login page would: the token and the user in localStorage. Used by the browser tests and by
 * scripts/screenshots.ts.
 */
export async function signIn(page: Page, base: string, username = 'operator'): Promise<void> {
  const res = await page.request.post(`${base}/api/v1/auth/login`, { data: { username, password: 'demo' } })
  if (!res.ok()) throw new Error(`sign-in as ${username}: ${res.status()} (is IOC_DEMO=1 on, on a loopback bind?)`)
  const body = (await res.json()) as { token: string; user: unknown }
  await page.goto(`${base}/login`)
  await page.evaluate(
    ([t, u]) => {
      localStorage.setItem('ioc.token', t as string)
      localStorage.setItem('ioc.user', JSON.stringify(u))
    },
    [body.token, body.user] as const,
  )
}
