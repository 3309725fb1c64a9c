import { ScatterplotLayer } from '@deck.gl/layers'
import { EVENT_COLORS, type EventStatus } from '../colors'

export interface EventPoint {
  id: string
  position: [number, number]
  status: EventStatus
  category: string
  ts: number
  /** The furthest step of the loop, when known (drives the dispatch arcs). */
  step?: string
}

const RADIUS: Record<EventStatus, number> = { closed: 3, open: 4.5, overdue: 5.5 }

/** Grid events coloured by status; the closed ones are drawn first so open ones stay on top. */
export function eventPointsLayer(data: EventPoint[], scale = 1) {
  return new ScatterplotLayer<EventPoint>({
    id: 'event-points',
    data,
    getPosition: (d) => d.position,
    getFillColor: (d) => EVENT_COLORS[d.status],
    getRadius: (d) => RADIUS[d.status] * scale,
    updateTriggers: { getRadius: scale },
    radiusUnits: 'pixels',
    stroked: true,
    getLineColor: [3, 10, 24, 200],
    lineWidthUnits: 'pixels',
    getLineWidth: 1,
    pickable: true,
    parameters: { depthCompare: 'always' },
  })
}
