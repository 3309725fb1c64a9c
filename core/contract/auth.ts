import { z } from 'zod'
import { LoginInfoSchema, LoginRequestSchema, LoginResponseSchema } from '../schemas/api.js'
import { OPEN, V1, body, declare, errors, json, openErrors } from './http.js'

const redirect = { description: 'redirect (302)', headers: z.object({ location: z.string() }) }

export const loginInfo = declare({
  method: 'get',
  path: `${V1}/auth/login`,
  tags: ['auth'],
  summary: 'What the sign-in page needs: demo mode, time zone, single sign-on',
  ...OPEN,
  responses: { 200: json(LoginInfoSchema), ...openErrors },
})
export const login = declare({
  method: 'post',
  path: `${V1}/auth/login`,
  tags: ['auth'],
  summary: 'Sign in with a local account',
  ...OPEN,
  request: { body: body(LoginRequestSchema) },
  responses: { 200: json(LoginResponseSchema), ...openErrors, 401: errors[401] },
})
export const refresh = declare({
  method: 'post',
  path: `${V1}/auth/refresh`,
  tags: ['auth'],
  summary: 'Trade a valid session token for a fresh one',
  responses: { 200: json(LoginResponseSchema), ...errors },
})
export const oidcStart = declare({
  method: 'get',
  path: `${V1}/auth/oidc/start`,
  tags: ['auth'],
  summary: "Start single sign-on at the city's identity provider (302)",
  ...OPEN,
  responses: { 302: redirect, ...openErrors },
})
export const oidcCallback = declare({
  method: 'get',
  path: `${V1}/auth/oidc/callback`,
  tags: ['auth'],
  summary: 'Where the provider returns; 302 to /login#token=…',
  ...OPEN,
  responses: { 302: redirect, ...openErrors, 401: errors[401] },
})
