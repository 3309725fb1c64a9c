/**
 * Grid events (网格事件): arrivals by source and hour, and for each one its whole closed loop
 * reported → verified → dispatched → handled → submitted → evaluated, drawn at once and queued.
 */
import type { GridEventInput } from '#core/schemas/records.js'
import type { EventCatalog } from '#core/schemas/catalog.js'
import { type Grid, jitterInGrid, shortName } from './city.js'
import { PendingQueue } from './queue.js'
import { type Rng, WeightedPicker, hashString, lognormal, pickOne, poisson, uniform } from './random.js'
import { HOUR_MS, MINUTE_MS, PROFILES, type Profile, inLocalHours } from './rhythm.js'
import { IdMaker, type Spatial } from './spatial.js'

type Matter = EventCatalog['classes'][number]['matters'][number]
type Evaluation = NonNullable<GridEventInput['evaluation']>

interface SourceSpec {
  id: 'grid_worker' | 'video' | 'sensor' | 'hotline'
  share: number
  profile: Profile
  /** Typical minutes from report to the on-site check. */
  verifyMinutes: number
  /** Share found invalid or duplicate at verification. */
  rejectShare: number
  /** Matters this source mostly raises (ids missing from the catalogue are ignored). */
  affinity?: readonly string[]
}

/** Source mix from the brief; grid workers find most events, and rarely a false one. */
export const SOURCES: readonly SourceSpec[] = [
  { id: 'grid_worker', share: 0.7, profile: PROFILES.gridWorker, verifyMinutes: 6, rejectShare: 0.015 },
  {
    id: 'video',
    share: 0.1,
    profile: PROFILES.video,
    verifyMinutes: 20,
    rejectShare: 0.08,
    affinity: [
      'order.vendors',
      'order.parking',
      'appearance.garbage',
      'appearance.ads',
      'appearance.laundry',
      'safety.fire_exit',
    ],
  },
  {
    id: 'sensor',
    share: 0.08,
    profile: PROFILES.sensor,
    verifyMinutes: 15,
    rejectShare: 0.06,
    affinity: [
      'facilities.manhole',
      'facilities.waterlogging',
      'facilities.streetlight',
      'safety.gas',
      'environment.smoke',
      'environment.sewage',
      'environment.noise',
    ],
  },
  { id: 'hotline', share: 0.12, profile: PROFILES.hotline, verifyMinutes: 30, rejectShare: 0.05 },
]

/** Expected records per event (a rejected event has three steps, others six): sizes the arrival rate. */
export const RECORDS_PER_EVENT = SOURCES.reduce(
  (s, src) => s + src.share * (src.rejectShare * 3 + (1 - src.rejectShare) * 6),
  0,
)

/** Target share of events closed after their deadline; departments spread around it. */
const LATE_SHARE = 0.07
const SENSOR_NAMES: Record<string, string> = {
  'facilities.manhole': '井盖位移传感器',
  'facilities.waterlogging': '积水监测点',
  'facilities.streetlight': '路灯监控终端',
  'safety.gas': '燃气报警器',
  'environment.smoke': '油烟在线监测',
  'environment.sewage': '水质监测站',
  'environment.noise': '噪声监测点',
}
const PLACES = [
  '小区门口',
  '沿街商铺前',
  '公交站台旁',
  '路口',
  '菜场周边',
  '学校周边',
  '背街小巷',
  '绿地内',
  '停车场',
  '楼道内',
]
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾'
const GIVEN = '文华明建国平志军伟芳娟敏静丽强磊洋艳勇杰涛婷超秀英霞'

export class GridEventModel {
  private readonly queue = new PendingQueue<GridEventInput>()
  private readonly mattersBySource: WeightedPicker<Matter>[]
  private readonly handleHours = new Map<string, number>()
  private readonly lateShare = new Map<string, number>()
  private readonly ids: IdMaker
  private readonly tz: string

  constructor(
    private readonly rng: Rng,
    catalog: EventCatalog,
    private readonly spatial: Spatial,
    /** Mean new events per second over a day. */
    private readonly perSecond: number,
  ) {
    this.tz = spatial.timeZone
    this.ids = new IdMaker('E', spatial.timeZone)
    const matters = catalog.classes.flatMap((c) => c.matters)
    this.mattersBySource = SOURCES.map((src) => {
      const pool = src.affinity ? matters.filter((m) => src.affinity?.includes(m.id)) : []
      const list = pool.length > 0 ? pool : matters
      return new WeightedPicker(
        list,
        list.map((m) => m.weight),
      )
    })
    for (const d of catalog.departments) this.handleHours.set(d.id, d.handle_hours)
    // Some departments are slower than others, so "overdue by department" has something to show;
    // the factors are rescaled so that the weighted mean stays LATE_SHARE.
    const factor = new Map(catalog.departments.map((d) => [d.id, uniform(rng, 0.4, 1.8)]))
    const totalWeight = matters.reduce((s, m) => s + m.weight, 0)
    const mean = matters.reduce((s, m) => s + m.weight * (factor.get(m.department) ?? 1), 0) / totalWeight
    for (const m of matters) this.lateShare.set(m.department, (LATE_SHARE * (factor.get(m.department) ?? 1)) / mean)
  }

  get pending(): number {
    return this.queue.size
  }

  /** Draws the events reported in [from, to) that are after `notBefore`, queueing all their steps. */
  generate(from: number, to: number, notBefore: number): void {
    const mid = (from + to) / 2
    const weights = SOURCES.map((s) => s.share * s.profile.at(mid, this.tz))
    const intensity = weights.reduce((a, b) => a + b, 0)
    const n = poisson(this.rng, (this.perSecond * intensity * (to - from)) / 1000)
    if (n === 0) return
    const sources = new WeightedPicker(
      SOURCES.map((_, i) => i),
      weights,
    )
    const times: number[] = []
    for (let i = 0; i < n; i++) times.push(from + Math.floor(this.rng() * (to - from)))
    times.sort((a, b) => a - b)
    for (const ts of times) {
      const source = sources.pick(this.rng)
      if (ts > notBefore) this.create(ts, source)
    }
  }

  popUntil(until: number): GridEventInput[] {
    return this.queue.popUntil(until, [])
  }

  private create(t0: number, sourceIndex: number): void {
    const rng = this.rng
    const src = SOURCES[sourceIndex]
    const matter = this.mattersBySource[sourceIndex].pick(rng)
    const grid = this.spatial.grids.pick(rng)
    const [lon, lat] = jitterInGrid(rng, grid)
    const event_id = this.ids.next(t0)
    const base = {
      category: matter.id,
      grid_code: grid.code,
      lon,
      lat,
      source: src.id,
      department: matter.department,
      priority: priorityOf(matter.sla_hours, rng),
      deadline: t0 + Math.round(matter.sla_hours * HOUR_MS),
      reporter: reporterOf(src.id, grid, matter),
      description: `${shortName(grid.community.name)}${pickOne(rng, PLACES)}${matter.name}`,
    }
    const emit = (step: GridEventInput['step'], ts: number, evaluation?: Evaluation) => {
      const rec: GridEventInput = { event_id, step, ts, ...base }
      if (evaluation) rec.evaluation = evaluation
      this.queue.push(ts, rec)
    }
    emit('reported', t0)

    // Nobody goes out to check a sensor alarm at 3 a.m. as fast as at 10.
    const night = inLocalHours(t0, 22, 7, this.tz) ? 2.5 : 1
    const verify = atLeastMinute(lognormal(rng, src.verifyMinutes * night * MINUTE_MS, 0.6))
    if (rng() < src.rejectShare) {
      const t1 = t0 + verify
      emit('verified', t1)
      emit('evaluated', t1 + atLeastMinute(lognormal(rng, 10 * MINUTE_MS, 0.6)), 'rejected')
      return
    }
    const handleH = this.handleHours.get(matter.department) ?? 12
    const d = [
      verify,
      lognormal(rng, 10 * MINUTE_MS, 0.7), // dispatch
      lognormal(rng, handleH * HOUR_MS, 0.8), // handle
      lognormal(rng, 20 * MINUTE_MS, 0.7), // submit
      lognormal(rng, 40 * MINUTE_MS, 0.8), // evaluate
    ]
    // Decide first whether this one is late, then fit the natural durations to that outcome by
    // scaling them together: the breach share is then a parameter, not an accident of how the
    // catalogue's SLAs happen to compare with the departments' handling times.
    const sla = matter.sla_hours * HOUR_MS
    const late = rng() < (this.lateShare.get(matter.department) ?? LATE_SHARE)
    const total = d.reduce((a, b) => a + b, 0)
    // (The 5 minutes leave room for the one-minute floor per step below.)
    const margin = 5 * MINUTE_MS
    let target = total
    if (late && total <= sla) target = sla * (1 + lognormal(rng, 0.25, 0.7))
    else if (!late && total > sla - margin) target = sla * uniform(rng, 0.55, 0.97) - margin
    for (let i = 0; i < d.length; i++) d[i] *= target / total
    let t = t0
    const steps = ['verified', 'dispatched', 'handled', 'submitted', 'evaluated'] as const
    for (let i = 0; i < steps.length; i++) {
      t += atLeastMinute(d[i])
      if (steps[i] === 'evaluated') emit('evaluated', t, evaluationOf(rng, late))
      else emit(steps[i], t)
    }
  }
}

/** Whole milliseconds, and at least a minute, so a loop's steps never share a timestamp. */
function atLeastMinute(ms: number): number {
  return Math.max(MINUTE_MS, Math.round(ms))
}

/** 1 routine … 5 most urgent, from how tight the matter's deadline is. */
function priorityOf(slaHours: number, rng: Rng): number {
  const base = slaHours <= 4 ? 4 : slaHours <= 8 ? 3 : slaHours <= 24 ? 2 : 1
  return Math.min(5, base + (rng() < 0.1 ? 1 : 0))
}

function reporterOf(source: SourceSpec['id'], grid: Grid, matter: Matter): string {
  switch (source) {
    case 'grid_worker': {
      // Each grid has its own worker: the same name on every event of that grid, from the code.
      const h = hashString(grid.code)
      return `网格员${SURNAMES[h % SURNAMES.length]}${GIVEN[(h >>> 8) % GIVEN.length]}${(h >>> 16) % 3 === 0 ? '' : GIVEN[(h >>> 20) % GIVEN.length]}`
    }
    case 'video':
      return `视频AI:CAM-${grid.code.slice(6)}`
    case 'sensor':
      return `物联感知:${SENSOR_NAMES[matter.id] ?? '传感器'}`
    case 'hotline':
      return '12345热线'
  }
}

function evaluationOf(rng: Rng, late: boolean): Evaluation {
  const r = rng()
  const [sat, basic] = late ? [0.5, 0.3] : [0.82, 0.13]
  return r < sat ? 'satisfied' : r < sat + basic ? 'basically' : 'unsatisfied'
}
