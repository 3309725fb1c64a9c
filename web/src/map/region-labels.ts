import { TextLayer } from '@deck.gl/layers'
import { LABEL_FONT_FAMILY, LABEL_FONT_WEIGHT } from './fonts'
import type { Placed } from './label-placement'

export interface RegionLabel {
  code: string
  name: string
  position: [number, number]
  area: number
}

const HIDDEN: Placed = { dx: 0, dy: 0, visible: false }

/** Base map, not a data layer: Chinese names of the child regions at their centroids, nudged apart by `placed`. */
export function regionLabelsLayer(
  data: RegionLabel[],
  size: number,
  hovered: string | null,
  placed: Map<string, Placed>,
) {
  const at = (d: RegionLabel) => placed.get(d.code) ?? (placed.size ? HIDDEN : { dx: 0, dy: 0, visible: true })
  return new TextLayer<RegionLabel>({
    id: 'region-labels',
    data,
    getPosition: (d) => d.position,
    getText: (d) => d.name,
    getSize: size,
    sizeUnits: 'pixels',
    getColor: (d) => (!at(d).visible ? [0, 0, 0, 0] : d.code === hovered ? [255, 255, 255, 255] : [220, 242, 255, 240]),
    getPixelOffset: (d) => [at(d).dx, at(d).dy],
    characterSet: 'auto',
    fontFamily: LABEL_FONT_FAMILY,
    fontWeight: LABEL_FONT_WEIGHT,
    fontSettings: { sdf: true, fontSize: 48, buffer: 8, radius: 12 },
    outlineWidth: 4,
    outlineColor: [2, 12, 28, 230],
    getTextAnchor: 'middle',
    getAlignmentBaseline: 'center',
    billboard: true,
    parameters: { depthCompare: 'always' },
    updateTriggers: { getColor: [hovered, placed], getPixelOffset: placed },
  })
}
