import { readFileSync } from 'node:fs'
import { Hono } from 'hono'
import { openApiDocument } from '../openapi.js'

const page = readFileSync(new URL('../docs/page.html', import.meta.url), 'utf8')
const script = readFileSync(new URL('../docs/page.js', import.meta.url), 'utf8')

/** The OpenAPI document (built on first request, when every module has added its routes) and a page showing it. */
export function docsRoutes(appRoutes: () => Array<{ method: string; path: string }>) {
  const app = new Hono()
  let doc: Record<string, unknown> | undefined
  app.get('/openapi.json', (c) => c.json((doc ??= openApiDocument(appRoutes()))))
  app.get('/docs', (c) => c.html(page))
  app.get('/docs.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    return c.body(script)
  })
  return app
}
