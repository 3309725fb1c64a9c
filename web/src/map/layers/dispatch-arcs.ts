import { PathLayer, ScatterplotLayer } from '@deck.gl/layers'
import type { EventPoint } from './event-points'

export interface Arc {
  id: string
  from: [number, number]
  to: [number, number]
  path: [number, number][]
}

const SEGMENTS = 20

/**
 * A curved path from `from` to `to`: a quadratic Bézier bowed to the left of the straight line,
 * so arcs read as arcs on a flat (unpitched) map, where deck's 3D ArcLayer would look straight.
 */
export function curve(from: [number, number], to: [number, number]): [number, number][] {
  const [x0, y0] = from
  const [x1, y1] = to
  const cx = (x0 + x1) / 2 - (y1 - y0) * 0.25
  const cy = (y0 + y1) / 2 + (x1 - x0) * 0.25
  const out: [number, number][] = []
  for (let i = 0; i <= SEGMENTS; i++) {
    const t = i / SEGMENTS
    const a = (1 - t) * (1 - t)
    const b = 2 * (1 - t) * t
    const c = t * t
    out.push([a * x0 + b * cx + c * x1, a * y0 + b * cy + c * y1])
  }
  return out
}

/** Dispatched events as arcs from the command centre of the region in view to the event's place. */
export function dispatchArcsLayers(data: Arc[]) {
  return [
    new PathLayer<Arc>({
      id: 'dispatch-arcs',
      data,
      getPath: (d) => d.path,
      getColor: [251, 191, 36, 150],
      getWidth: 1.5,
      widthUnits: 'pixels',
      capRounded: true,
      pickable: false,
      parameters: { depthCompare: 'always' },
    }),
    new ScatterplotLayer<Arc>({
      id: 'dispatch-targets',
      data,
      getPosition: (d) => d.to,
      getFillColor: [0, 0, 0, 0],
      getLineColor: [251, 191, 36, 220],
      stroked: true,
      filled: false,
      lineWidthUnits: 'pixels',
      getLineWidth: 1.5,
      radiusUnits: 'pixels',
      getRadius: 7,
      parameters: { depthCompare: 'always' },
    }),
  ]
}

const IN_HAND = new Set(['dispatched', 'handled', 'submitted'])
const MAX_ARCS = 120

/** The newest events that are with a department now (dispatched, being handled or reported back). */
export function arcsOf(points: EventPoint[], centre: [number, number] | null): Arc[] {
  if (!centre) return []
  return points
    .filter((p) => p.step !== undefined && IN_HAND.has(p.step))
    .sort((a, b) => b.ts - a.ts)
    .slice(0, MAX_ARCS)
    .map((p) => ({ id: p.id, from: centre, to: p.position, path: curve(centre, p.position) }))
}
