import { HexagonLayer } from '@deck.gl/aggregation-layers'
import type { Level } from '../../../../core/regions'
import type { EventPoint } from './event-points'

/** Hexagon size per level: a city-wide view needs kilometre cells, a grid a few dozen metres. */
const RADIUS_M: Record<Level, number> = { city: 1500, district: 600, street: 260, community: 110, grid: 40 }

/** Dark teal to hot orange: the denser, the warmer. */
export const DENSITY_COLORS: [number, number, number][] = [
  [23, 70, 110],
  [30, 120, 150],
  [45, 180, 170],
  [250, 204, 21],
  [251, 146, 60],
  [244, 63, 94],
]

/** Event density as flat hexagons (CPU aggregation: a few thousand points at most). */
export function densityLayer(data: EventPoint[], level: Level | null | undefined) {
  return new HexagonLayer<EventPoint>({
    id: 'event-density',
    data,
    getPosition: (d) => d.position,
    radius: RADIUS_M[level ?? 'city'],
    coverage: 0.88,
    extruded: false,
    opacity: 0.55,
    colorRange: DENSITY_COLORS,
    gpuAggregation: false,
    pickable: false,
    parameters: { depthCompare: 'always' },
  })
}
