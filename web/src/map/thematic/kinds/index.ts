import type { DrawType, LayerDraw } from '#core/schemas/layer'
import { grid, heatmap, hexagon } from './aggregate'
import { arc } from './arc'
import { choropleth } from './choropleth'
import { icon } from './icon'
import type { LayerKind } from './kind'
import { path } from './path'
import { scatter } from './scatter'
import { text } from './text'

export type { BuildContext } from './kind'

/** Every draw type of core/schemas/layer.ts and the module that draws it. */
export const KINDS: { [T in DrawType]: LayerKind<Extract<LayerDraw, { type: T }>> } = {
  scatter,
  icon,
  heatmap,
  hexagon,
  grid,
  arc,
  path,
  text,
  choropleth,
}

/**
 * Drawing order over the base map: areas under aggregates under lines under points under text, so a
 * dot is never hidden under a hexagon whatever the order the layers were switched on.
 */
export const DRAW_ORDER: Record<DrawType, number> = {
  choropleth: 0,
  heatmap: 1,
  grid: 1,
  hexagon: 1,
  path: 2,
  arc: 2,
  scatter: 3,
  icon: 4,
  text: 5,
}

export function kindOf<T extends DrawType>(type: T): LayerKind<Extract<LayerDraw, { type: T }>> {
  return KINDS[type]
}
