import { z } from 'zod'
import { OPEN, V1, declare, errors, openErrors } from './http.js'

const page = (description: string, type: string) => ({ description, content: { [type]: { schema: z.string() } } })

export const openapiDocument = declare({
  method: 'get',
  path: `${V1}/openapi.json`,
  tags: ['docs'],
  summary: 'This document',
  ...OPEN,
  responses: {
    200: { description: 'the OpenAPI 3 document', content: { 'application/json': { schema: z.looseObject({}) } } },
    ...openErrors,
  },
})
export const docsPage = declare({
  method: 'get',
  path: `${V1}/docs`,
  tags: ['docs'],
  summary: 'This document as a page',
  ...OPEN,
  responses: { 200: page('the page', 'text/html'), ...openErrors },
})
export const docsScript = declare({
  method: 'get',
  path: `${V1}/docs.js`,
  tags: ['docs'],
  summary: "The page's script (served here: the page loads nothing from elsewhere)",
  ...OPEN,
  responses: { 200: page('the script', 'text/javascript'), ...openErrors },
})
export const live = declare({
  method: 'get',
  path: `${V1}/live`,
  tags: ['live'],
  summary: 'WebSocket upgrade: subscriptions by topic and region (see the messages in core/schemas/api.ts)',
  request: { query: z.object({ token: z.string().optional().meta({ description: 'or send {type:"auth"} first' }) }) },
  responses: { 101: { description: 'switching protocols' }, ...errors },
})
