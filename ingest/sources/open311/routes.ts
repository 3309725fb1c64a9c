import { randomUUID } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { XMLBuilder } from 'fast-xml-parser'
import type { AuditEntry } from '#platform/auth/audit.js'
import type { TokenService } from '#platform/auth/tokens.js'
import { bearer } from '#platform/auth/tokens.js'
import { deidentify, releaseTo } from '#core/personal.js'
import type { User } from '#core/schemas/api.js'
import type { EventCatalog, HotlineCatalog, Open311Publication } from '#core/schemas/catalog.js'
import { PERSONAL_FIELDS } from '#core/schemas/records.js'
import type { Store } from '#store/client.js'
import type { IngestPipeline } from '../../pipeline/index.js'
import { asHttpError } from '../http.js'
import { clientIp } from '#platform/auth/client-ip.js'
import { ingestCredential, type Credential } from '../auth.js'
import { ApiError } from '#platform/errors.js'
import { serviceNames, servicesOf } from './catalog.js'
import { findRequests, type RequestRow } from './queries.js'

export interface Open311Options {
  pipeline: IngestPipeline
  store: Store
  events: EventCatalog
  hotline: HotlineCatalog
  /** `api_key` is an ingest token (IOC_INGEST_TOKENS, or the session token of a user of role ingest). */
  ingestTokens: ReadonlySet<string>
  tokens: TokenService
  /** What the city publishes without a token (dashboards/catalog/open311.yaml). */
  publication: Open311Publication
  /** The centre of a grid: where a request is shown when its exact place is withheld. */
  centre: (grid: string) => readonly [number, number] | undefined
  /** Where reads of personal data are recorded (docs/security.md). */
  audit?: (entry: AuditEntry) => void
  now?: () => number
}

type Format = 'json' | 'xml'
const xml = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false })
const DAY = 86_400_000

/** An answer in the format the path asked for; XML as GeoReport v2 writes it (root, then one element per item). */
function answer(
  c: Context,
  format: Format,
  root: string,
  item: string,
  rows: object[],
  status: 200 | 201 | 400 | 401 | 403 | 404 | 429 | 503 = 200,
) {
  if (format === 'json') return c.json(rows, status)
  const body = `<?xml version="1.0" encoding="utf-8"?>${xml.build({ [root]: { [item]: rows } })}`
  return c.body(body, status, { 'content-type': 'text/xml; charset=utf-8' })
}

/** GeoReport v2 errors are a list of {code, description}, in the format asked for. */
function fail(c: Context, format: Format, e: unknown) {
  const err = asHttpError(e)
  if (!(err instanceof ApiError)) throw err
  for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v)
  return answer(c, format, 'errors', 'error', [{ code: err.status, description: err.message }], err.status as 400)
}

/** `name.json` or `name.xml` → [name, format]; anything else is not an Open311 path. */
function splitFormat(file: string): [string, Format] | undefined {
  const m = /^(.+)\.(json|xml)$/.exec(file)
  return m ? [m[1], m[2] as Format] : undefined
}

const iso = (ms: string | null | undefined) => (ms == null || ms === '' ? null : new Date(Number(ms)).toISOString())

function number(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < min || n > max)
    throw new ApiError(400, 'bad_request', `${name} must be a number in ${min}..${max}`)
  return n
}

function time(v: string | undefined, name: string): number | undefined {
  if (!v) return undefined
  const t = Date.parse(v)
  if (Number.isNaN(t)) throw new ApiError(400, 'bad_request', `${name} is not an ISO 8601 time: ${v.slice(0, 40)}`)
  return t
}

const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : []

/** Open311 GeoReport v2 under /open311/v2: services from the event catalogue, requests as hotline tickets. */
export function open311Routes(opts: Open311Options): Hono {
  const app = new Hono()
  const now = opts.now ?? Date.now
  const services = servicesOf(opts.events)
  const byCode = new Map(services.map((s) => [s.service_code, s]))
  const names = serviceNames(opts.events, opts.hotline)

  /** A request with every GeoReport field; `r` is de-identified already where the reader may not see personal data. */
  function request(r: RequestRow) {
    const closed = r.latest_step === 'closed' || r.latest_step === 'rated'
    return {
      service_request_id: r.ticket_id,
      status: closed ? 'closed' : 'open',
      status_notes: closed ? `latest step: ${r.latest_step}` : null,
      service_name: names.get(r.service_code) ?? r.service_code,
      service_code: r.service_code,
      description: r.description || null,
      agency_responsible: r.agency,
      service_notice: null,
      requested_datetime: iso(r.created_ms),
      updated_datetime: iso(r.updated_ms),
      expected_datetime: iso(r.expected_ms),
      address: r.address || null,
      address_id: r.grid_code,
      zipcode: null,
      lat: r.lat,
      long: r.lon,
      media_url: null,
    }
  }

  /** The credential behind `api_key`: an ingest token, or an ingest user's session (kept to its region). */
  async function authorised(key: string | undefined): Promise<Credential> {
    if (!key) throw new ApiError(401, 'unauthorized', 'api_key is required to create a request')
    return ingestCredential(key, opts, 'api_key')
  }

  /**
   * Who reads: anyone (no token) gets what the city publishes; a user's session token (Bearer) gets
   * the requests of their region, whole if their role may see personal data (the read is audited),
   * de-identified otherwise.
   */
  async function reader(c: Context): Promise<User | undefined> {
    const header = c.req.header('authorization')
    if (header === undefined) {
      if (!opts.publication.public)
        throw new ApiError(
          401,
          'unauthorized',
          'this city publishes no service requests without a token: Authorization: Bearer <session token>',
        )
      return undefined
    }
    const token = bearer(header)
    const user = token ? await opts.tokens.verify(token) : undefined
    if (!user) throw new ApiError(401, 'unauthorized', 'the token is not valid or has expired')
    if (user.role === 'ingest')
      throw new ApiError(403, 'forbidden', 'the ingest role sends requests; it does not read them')
    return user
  }

  /** The answer for `who`: published fields only, de-identified, or whole (and audited). */
  function released(c: Context, who: User | undefined, rows: RequestRow[]): object[] {
    const personal = PERSONAL_FIELDS['hotline-tickets']
    const centre = (r: RequestRow) => opts.centre(r.grid_code)
    if (who) {
      const audit = (whole: RequestRow[]) =>
        opts.audit?.({
          action: 'read',
          user: who.name,
          role: who.role,
          region: who.region,
          ip: clientIp(c),
          target_kind: 'ticket',
          target_ids: whole.map((r) => r.ticket_id),
          detail: 'open311',
        })
      return releaseTo(who.role, rows, personal, centre, audit).map(request)
    }
    const fields = new Set<string>(opts.publication.fields)
    return rows.map((r) =>
      Object.fromEntries(
        Object.entries(request(deidentify(r, personal, () => centre(r)))).filter(([k]) => fields.has(k)),
      ),
    )
  }

  app.get('/open311/v2/:file', async (c) => {
    const [name, format] = splitFormat(c.req.param('file')) ?? ['', 'json']
    try {
      if (name === 'services')
        return answer(
          c,
          format,
          'services',
          'service',
          services.map(({ department: _d, departmentName: _n, slaHours: _s, ...s }) => s),
        )
      if (name !== 'requests') throw new ApiError(404, 'not_found', 'no such Open311 resource')
      const who = await reader(c)
      const q = c.req.query()
      const to = time(q.end_date, 'end_date') ?? now() + 1
      const from = time(q.start_date, 'start_date') ?? to - 90 * DAY
      const statuses = list(q.status)
      for (const s of statuses)
        if (s !== 'open' && s !== 'closed')
          throw new ApiError(400, 'bad_request', `status is open or closed, not ${s.slice(0, 20)}`)
      const rows = await findRequests(opts.store, {
        ids: list(q.service_request_id),
        codes: list(q.service_code),
        statuses: statuses as ('open' | 'closed')[],
        region: who?.region ?? '',
        from,
        to,
        limit: 1000,
      })
      return answer(c, format, 'service_requests', 'request', released(c, who, rows))
    } catch (e) {
      return fail(c, format, e)
    }
  })

  app.get('/open311/v2/requests/:file', async (c) => {
    const [id, format] = splitFormat(c.req.param('file')) ?? ['', 'json']
    try {
      if (!id) throw new ApiError(404, 'not_found', 'no such Open311 resource')
      const who = await reader(c)
      const rows = await findRequests(opts.store, {
        ids: [id],
        codes: [],
        statuses: [],
        region: who?.region ?? '',
        from: 0,
        to: 8_640_000_000_000,
        limit: 1,
      })
      if (!rows.length) throw new ApiError(404, 'not_found', `no service request ${id.slice(0, 64)}`)
      return answer(c, format, 'service_requests', 'request', released(c, who, rows))
    } catch (e) {
      return fail(c, format, e)
    }
  })

  // A service request is a few fields: 64 KiB is generous and keeps form parsing cheap.
  const limit = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) => c.json([{ code: 413, description: 'the request is over 64 KiB' }], 413),
  })

  // A refused record's field under its GeoReport v2 name.
  const OPEN311_FIELD: Record<string, string> = { lon: 'long', lat: 'lat', grid_code: 'address_id' }

  app.post('/open311/v2/:file', limit, async (c) => {
    const [name, format] = splitFormat(c.req.param('file')) ?? ['', 'json']
    try {
      if (name !== 'requests') throw new ApiError(404, 'not_found', 'no such Open311 resource')
      const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase()
      if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
        throw new ApiError(
          415,
          'unsupported_media_type',
          'GeoReport v2 requests are form-encoded (application/x-www-form-urlencoded)',
        )
      }
      const form = await c.req.parseBody()
      const field = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : undefined)
      const credential = await authorised(field('api_key'))
      const code = field('service_code')
      const service = code ? byCode.get(code) : undefined
      if (!service)
        throw new ApiError(
          400,
          'bad_request',
          code ? `unknown service_code ${code.slice(0, 40)}; see services.json` : 'service_code is required',
        )
      const lat = number(field('lat'), 'lat', -90, 90)
      const lon = number(field('long'), 'long', -180, 180)
      const grid = field('address_id')
      if ((lat === undefined || lon === undefined) && !grid) {
        throw new ApiError(
          400,
          'bad_request',
          'a location is required: lat and long (WGS84), or address_id (a grid code)',
        )
      }
      const created = now()
      const id = `O311-${randomUUID().replace(/-/g, '').slice(0, 16)}`
      const record = {
        ticket_id: id,
        step: 'created',
        ts: created,
        channel: 'open311',
        category: service.service_code,
        ...(lat !== undefined && lon !== undefined ? { lon, lat, crs: 'wgs84' } : { grid_code: grid }),
        address: field('address_string'),
        department: service.department,
        deadline: created + service.slaHours * 3_600_000,
        description: field('description'),
      }
      const result = await opts.pipeline.commit(
        opts.pipeline.prepare('hotline-tickets', [record], { source: 'open311', region: credential.region }),
      )
      if (result.errors.length) {
        const e = result.errors[0]
        throw new ApiError(400, 'bad_request', `${OPEN311_FIELD[e.path] ?? (e.path || 'request')}: ${e.message}`)
      }
      const notice = `${service.departmentName} handles it; expected within ${service.slaHours} hours`
      return answer(c, format, 'service_requests', 'request', [
        { service_request_id: id, service_notice: notice, account_id: null },
      ])
    } catch (e) {
      return fail(c, format, e)
    }
  })

  return app
}
