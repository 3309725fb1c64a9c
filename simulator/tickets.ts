/**
 * 12345 hotline tickets: created → dispatched → accepted → replied → closed (→ reopened → replied →
 * closed) → rated. Channel and category follow the catalogue's weights; a few fixed places draw
 * repeat complaints; a few tickets come with only a GCJ-02 position, as phone apps send them.
 */
import gcoord from 'gcoord'
import type { HotlineTicketInput } from '#core/schemas/records.js'
import type { HotlineCatalog } from '#core/schemas/catalog.js'
import { type Grid, jitterInGrid, shortName } from './city.js'
import { PendingQueue } from './queue.js'
import { type Rng, WeightedPicker, hashString, lognormal, pickOne, poisson, randInt } from './random.js'
import { HOUR_MS, MINUTE_MS, PROFILES, inLocalHours, nextLocalHour } from './rhythm.js'
import { IdMaker, type Spatial } from './spatial.js'

type Category = HotlineCatalog['categories'][number]
type Satisfaction = NonNullable<HotlineTicketInput['satisfaction']>

export const REOPEN_SHARE = 0.04
export const RATED_SHARE = 0.85
/** Expected records per ticket: five steps, three more when reopened, one when rated. */
export const RECORDS_PER_TICKET = 5 + 3 * REOPEN_SHARE + RATED_SHARE
/** Share of all tickets that arrive with a position only (no grid code). */
export const POSITION_ONLY_SHARE = 0.05
/** Channels through which a phone's location arrives; position-only tickets come through these. */
const GEO_CHANNELS = ['app', 'wechat', 'open311']
const HOTSPOT_SHARE = 0.025

/** Repeat-complaint places: the same grid and address again and again. */
const HOTSPOT_KINDS: readonly { place: string; category: string; complaints: readonly string[] }[] = [
  {
    place: '地块建设工地',
    category: 'environment',
    complaints: ['工地夜间施工噪声扰民', '工地扬尘严重', '渣土车带泥上路'],
  },
  { place: '号酒吧', category: 'environment', complaints: ['酒吧深夜音乐声过大', '酒吧门口顾客喧哗扰民'] },
  { place: '小区', category: 'housing', complaints: ['小区电梯频繁故障', '物业垃圾清运不及时', '小区停车收费不合理'] },
  { place: '农贸市场', category: 'market', complaints: ['市场商户缺斤短两', '市场周边占道经营'] },
  { place: '路口', category: 'traffic', complaints: ['路口信号灯配时不合理，早晚高峰拥堵', '非机动车乱停放堵塞盲道'] },
  { place: '号餐饮店', category: 'environment', complaints: ['餐饮店油烟直排扰民', '餐饮店后厨污水外溢'] },
]
const ROADS = [
  '中山路',
  '北京东路',
  '珠江路',
  '汉中路',
  '龙蟠路',
  '太平南路',
  '中华路',
  '江东中路',
  '集庆路',
  '应天大街',
  '虎踞路',
  '广州路',
  '长江路',
  '洪武路',
  '升州路',
  '建宁路',
  '草场门大街',
  '水西门大街',
  '雨花路',
  '天元路',
  '双龙大道',
  '浦珠路',
  '文澜路',
  '学海路',
  '宁六路',
  '天生桥大道',
]
const COMPLAINTS: Record<string, readonly string[]> = {
  urban: ['道路施工围挡占道', '小区周边道路破损', '老旧小区改造进度慢'],
  environment: ['夜间施工噪声扰民', '餐饮油烟扰民', '河道有异味'],
  traffic: ['公交班次太少', '路口拥堵', '共享单车乱停放'],
  market: ['商家拒绝退款', '商品价格标示不清', '预付卡商家跑路'],
  labour: ['单位拖欠工资', '社保转移咨询', '灵活就业参保咨询'],
  housing: ['物业服务不到位', '楼顶漏水', '电梯故障'],
  water: ['小区停水', '水压不足', '下水道堵塞'],
  safety: ['楼道堆放杂物', '电动车楼道充电', '燃气异味'],
  health: ['诊所收费不规范', '疫苗接种咨询', '医院排队时间长'],
  appearance: ['垃圾清运不及时', '违规张贴小广告', '沿街乱摆摊'],
}

interface Hotspot {
  grid: Grid
  address: string
  category: Category
  complaints: readonly string[]
}

export class TicketModel {
  private readonly queue = new PendingQueue<HotlineTicketInput>()
  private readonly channels: WeightedPicker<string>
  private readonly categories: WeightedPicker<Category>
  private readonly hotspots: Hotspot[]
  private readonly positionOnlyGivenGeo: number
  private readonly geoChannels: Set<string>
  private readonly ids: IdMaker
  private readonly tz: string

  constructor(
    private readonly rng: Rng,
    catalog: HotlineCatalog,
    private readonly spatial: Spatial,
    /** Mean new tickets per second over a day. */
    private readonly perSecond: number,
  ) {
    this.tz = spatial.timeZone
    this.ids = new IdMaker('H', spatial.timeZone)
    this.channels = new WeightedPicker(
      catalog.channels.map((c) => c.id),
      catalog.channels.map((c) => c.weight),
    )
    this.categories = new WeightedPicker(
      catalog.categories,
      catalog.categories.map((c) => c.weight),
    )
    // Position-only tickets come through the location-aware channels, at the rate that makes
    // them POSITION_ONLY_SHARE of all tickets; a catalogue without such channels uses every one.
    let geoShare = this.channels.share((c) => GEO_CHANNELS.includes(c))
    this.geoChannels = new Set(geoShare > 0 ? GEO_CHANNELS : catalog.channels.map((c) => c.id))
    if (geoShare === 0) geoShare = 1
    this.positionOnlyGivenGeo = Math.min(1, POSITION_ONLY_SHARE / geoShare)
    this.hotspots = HOTSPOT_KINDS.map((k) => {
      const grid = spatial.grids.pick(rng)
      const category = catalog.categories.find((c) => c.id === k.category) ?? this.categories.pick(rng)
      const prefix = `${grid.district.name}${grid.street.name}`
      const address =
        k.place === '小区' || k.place === '路口'
          ? `${prefix}${shortName(grid.community.name)}${k.place}`
          : `${prefix}${pickOne(rng, ROADS)}${1 + randInt(rng, 300)}${k.place}`
      return { grid, address, category, complaints: k.complaints }
    })
  }

  get pending(): number {
    return this.queue.size
  }

  generate(from: number, to: number, notBefore: number): void {
    const n = poisson(this.rng, (this.perSecond * PROFILES.hotline.at((from + to) / 2, this.tz) * (to - from)) / 1000)
    const times: number[] = []
    for (let i = 0; i < n; i++) times.push(from + Math.floor(this.rng() * (to - from)))
    times.sort((a, b) => a - b)
    for (const ts of times) if (ts > notBefore) this.create(ts)
  }

  popUntil(until: number): HotlineTicketInput[] {
    return this.queue.popUntil(until, [])
  }

  private create(t0: number): void {
    const rng = this.rng
    const channel = this.channels.pick(rng)
    const hotspot = rng() < HOTSPOT_SHARE ? pickOne(rng, this.hotspots) : undefined
    const category = hotspot?.category ?? this.categories.pick(rng)
    const grid = hotspot?.grid ?? this.spatial.grids.pick(rng)
    const ticket_id = this.ids.next(t0)
    const urgency = urgencyOf(category.sla_hours, rng)
    const description = hotspot
      ? pickOne(rng, hotspot.complaints)
      : pickOne(rng, COMPLAINTS[category.id] ?? [`反映${category.name}问题`])
    const address = hotspot?.address ?? addressOf(rng, grid)
    const positionOnly = this.geoChannels.has(channel) && rng() < this.positionOnlyGivenGeo
    // A position-only ticket is placed exactly at the grid's centroid (a point inside the grid's
    // polygon) and converted to GCJ-02, so the ingest's reverse conversion and point-in-polygon
    // lookup must land in this very grid.
    const place: Pick<HotlineTicketInput, 'grid_code' | 'lon' | 'lat' | 'crs'> = positionOnly
      ? toGcj02(grid.centroid)
      : (([lon, lat]) => ({ grid_code: grid.code, lon, lat }))(jitterInGrid(rng, grid))
    const base = {
      channel,
      category: category.id,
      urgency,
      ...place,
      address,
      department: category.department,
      deadline: t0 + Math.round(category.sla_hours * HOUR_MS),
      description,
    }
    const emit = (step: HotlineTicketInput['step'], ts: number, satisfaction?: Satisfaction) => {
      const rec: HotlineTicketInput = { ticket_id, step, ts, ...base }
      if (satisfaction) rec.satisfaction = satisfaction
      this.queue.push(ts, rec)
    }
    const sla = category.sla_hours * HOUR_MS
    emit('created', t0)
    // Non-urgent night calls are taken down at once but dispatched when the departments open.
    let t =
      urgency <= 3 && inLocalHours(t0, 22, 8, this.tz)
        ? nextLocalHour(t0, 8, this.tz) + step(lognormal(rng, 20 * MINUTE_MS, 0.6))
        : t0 + step(lognormal(rng, 20 * MINUTE_MS, 0.7))
    emit('dispatched', t)
    emit('accepted', (t += step(lognormal(rng, 40 * MINUTE_MS, 0.8))))
    emit('replied', (t += step(lognormal(rng, 0.2 * sla, 0.7))))
    emit('closed', (t += step(lognormal(rng, 2 * HOUR_MS, 0.8))))
    if (rng() < REOPEN_SHARE) {
      emit('reopened', (t += step(lognormal(rng, 10 * HOUR_MS, 0.8))))
      emit('replied', (t += step(lognormal(rng, 0.1 * sla, 0.7))))
      emit('closed', (t += step(lognormal(rng, 2 * HOUR_MS, 0.8))))
    }
    if (rng() < RATED_SHARE) emit('rated', t + step(lognormal(rng, 4 * HOUR_MS, 0.9)), satisfactionOf(rng))
  }
}

/** Whole milliseconds, at least 30 s, so a ticket's steps never share a timestamp. */
function step(ms: number): number {
  return Math.max(30_000, Math.round(ms))
}

function urgencyOf(slaHours: number, rng: Rng): number {
  const base = slaHours <= 24 ? 3 : slaHours <= 72 ? 2 : 1
  const r = rng()
  return Math.min(5, base + (r < 0.02 ? 2 : r < 0.17 ? 1 : 0))
}

function satisfactionOf(rng: Rng): Satisfaction {
  const r = rng()
  return r < 0.85 ? 'satisfied' : r < 0.95 ? 'basically' : 'unsatisfied'
}

function addressOf(rng: Rng, grid: Grid): string {
  // The road is fixed per community (from its code) so one community's tickets share a street name.
  const road = ROADS[hashString(grid.community.code) % ROADS.length]
  return `${grid.district.name}${grid.street.name}${road}${1 + randInt(rng, 200)}号`
}

export function toGcj02([lon, lat]: [number, number]): { lon: number; lat: number; crs: 'gcj02' } {
  const [x, y] = gcoord.transform([lon, lat], gcoord.WGS84, gcoord.GCJ02)
  return { lon: x, lat: y, crs: 'gcj02' }
}
