import { ArcLayer } from '@deck.gl/layers'
import type { EventPoint } from './event-points'

export interface Arc {
  id: string
  from: [number, number]
  to: [number, number]
}

/** Dispatched events as arcs from the command centre of the region in view to the event's place. */
export function dispatchArcsLayer(data: Arc[]) {
  return new ArcLayer<Arc>({
    id: 'dispatch-arcs',
    data,
    getSourcePosition: (d) => d.from,
    getTargetPosition: (d) => d.to,
    getSourceColor: [34, 211, 238, 200],
    getTargetColor: [251, 191, 36, 230],
    getWidth: 1.6,
    widthUnits: 'pixels',
    getHeight: 0.6,
    greatCircle: false,
    pickable: false,
    parameters: { depthCompare: 'always' },
  })
}

const IN_HAND = new Set(['dispatched', 'handled', 'submitted'])
const MAX_ARCS = 150

/** The newest events that are with a department now (dispatched, being handled or reported back). */
export function arcsOf(points: EventPoint[], centre: [number, number] | null): Arc[] {
  if (!centre) return []
  return points
    .filter((p) => p.step !== undefined && IN_HAND.has(p.step))
    .sort((a, b) => b.ts - a.ts)
    .slice(0, MAX_ARCS)
    .map((p) => ({ id: p.id, from: centre, to: p.position }))
}
