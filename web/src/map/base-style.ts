import type { StyleSpecification } from 'maplibre-gl'
import { NO_DATA, RAMP } from './colors'

export const CHILDREN = 'children'
export const OUTLINE = 'outline'

const hover = ['boolean', ['feature-state', 'hover'], false]
const share = ['coalesce', ['feature-state', 't'], -1]

/**
 * The whole base map: a dark background and the region polygons served by our own API. No tiles,
 * sprites or glyphs, so nothing is fetched from another origin (labels are drawn by deck.gl).
 */
export function baseStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {
      [CHILDREN]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'code' },
      [OUTLINE]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#020d1f', 'background-opacity': 0.45 } },
      {
        id: 'outline-fill',
        type: 'fill',
        source: OUTLINE,
        paint: { 'fill-color': '#0a2040', 'fill-opacity': 0.55 },
      },
      {
        id: 'children-fill',
        type: 'fill',
        source: CHILDREN,
        paint: {
          'fill-color': ['case', ['<', share, 0], NO_DATA, ['interpolate', ['linear'], share, ...RAMP.flat()]] as never,
          'fill-opacity': ['case', hover, 0.95, 0.78] as never,
        },
      },
      {
        id: 'children-line',
        type: 'line',
        source: CHILDREN,
        paint: {
          'line-color': ['case', hover, '#e0fbff', 'rgba(125, 211, 252, 0.55)'] as never,
          'line-width': ['case', hover, 2.5, 1] as never,
        },
      },
      {
        id: 'outline-glow',
        type: 'line',
        source: OUTLINE,
        paint: { 'line-color': '#00e5ff', 'line-width': 10, 'line-blur': 8, 'line-opacity': 0.45 },
      },
      {
        id: 'outline-line',
        type: 'line',
        source: OUTLINE,
        paint: { 'line-color': '#7df3ff', 'line-width': 2 },
      },
    ],
  }
}
