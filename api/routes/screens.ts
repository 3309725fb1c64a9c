import { routes } from '#core/contract/index.js'
import type { ScreenList } from '#core/schemas/screen.js'
import { loadScreens, SCREENS_DIR } from '#platform/config/screens.js'
import { notFound } from '#platform/errors.js'
import { contractApp } from '../openapi.js'

/** The screen files of dashboards/screens: the list (for the carousel) and one screen's layout. */
export function screenRoutes(dir = SCREENS_DIR) {
  const app = contractApp()
  app.openapi(routes.screens, (c) => {
    const { screens, errors } = loadScreens(dir)
    const body: ScreenList = {
      screens: screens.map((s) => ({ id: s.id, title: s.title, dwell_seconds: s.carousel.dwell_seconds })),
      errors,
    }
    return c.json(body, 200)
  })
  app.openapi(routes.screen, (c) => {
    const { id } = c.req.valid('param')
    const { screens, errors } = loadScreens(dir)
    const screen = screens.find((s) => s.id === id)
    if (screen) return c.json(screen, 200)
    const bad = errors.filter((e) => e.file.replace(/\.ya?ml$/, '') === id)
    if (bad.length)
      return c.json(
        { error: { code: 'invalid_screen', message: `screen file of ${id} is invalid`, details: bad } },
        500,
      )
    throw notFound(`no screen ${id}`)
  })
  return app
}
