import { ColumnLayer } from '@deck.gl/layers'
import { hexbin, type HexBin } from '../hexbin'
import type { EventPoint } from './event-points'

/**
 * Hexagon size for a region: about forty cells across its width, so a city shows kilometre cells
 * and a grid a few metres, whatever the size of the district or street.
 */
export function hexRadiusFor(bbox: readonly number[] | undefined): number {
  const [w, s, e, n] = bbox ?? []
  if (![w, s, e, n].every((v) => typeof v === 'number' && Number.isFinite(v))) return 1000
  const widthM = (e! - w!) * 111_320 * Math.cos((((s! + n!) / 2) * Math.PI) / 180)
  return Math.min(5000, Math.max(15, widthM / 40))
}

/** Dark teal to hot red: the denser, the warmer. */
export const DENSITY_COLORS: [number, number, number][] = [
  [30, 120, 150],
  [45, 180, 170],
  [250, 204, 21],
  [251, 146, 60],
  [244, 63, 94],
]

function colorOf(count: number, max: number): [number, number, number, number] {
  // sqrt: a few very busy cells should not wash every other cell out to the first colour.
  const i = Math.min(DENSITY_COLORS.length - 1, Math.floor(Math.sqrt(count / max) * DENSITY_COLORS.length))
  const c = DENSITY_COLORS[i]!
  return [c[0], c[1], c[2], 120]
}

/** Event density as flat hexagons, binned on the CPU (a few thousand points at most). */
export function densityLayer(data: EventPoint[], radius: number) {
  const bins = hexbin(data, radius)
  const max = Math.max(1, ...bins.map((b) => b.count))
  return new ColumnLayer<HexBin>({
    id: 'event-density',
    data: bins,
    diskResolution: 6,
    radius: radius * 0.92,
    angle: 90,
    extruded: false,
    getPosition: (d) => d.position,
    getFillColor: (d) => colorOf(d.count, max),
    updateTriggers: { getFillColor: max },
    pickable: false,
    parameters: { depthCompare: 'always' },
  })
}
