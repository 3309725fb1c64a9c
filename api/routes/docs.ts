import { readFileSync } from 'node:fs'
import type { OpenAPIHono } from '@hono/zod-openapi'
import { routes } from '#core/contract/index.js'
import type { Env } from '../context.js'
import { contractApp, openApiDocument } from '../openapi.js'

const page = readFileSync(new URL('../docs/page.html', import.meta.url), 'utf8')
const script = readFileSync(new URL('../docs/page.js', import.meta.url), 'utf8')

/** The OpenAPI document (built on first request, when every module has added its routes) and a page showing it. */
export function docsRoutes(whole: () => OpenAPIHono<Env>) {
  const app = contractApp()
  let doc: Record<string, unknown> | undefined
  app.openapi(routes.openapiDocument, (c) => c.json((doc ??= openApiDocument(whole())), 200))
  app.openapi(routes.docsPage, (c) => c.html(page, 200))
  app.openapi(routes.docsScript, (c) => c.body(script, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }))
  return app
}
