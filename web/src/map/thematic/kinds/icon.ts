import { IconLayer } from '@deck.gl/layers'
import type { LayerDraw } from '#core/schemas/layer'
import { positions } from '../scales'
import { colorProp, fieldOf, sizeProp, type LayerKind } from './kind'

type Draw = Extract<LayerDraw, { type: 'icon' }>

// An icon per shape, masked so getColor tints it (SVG data URLs: nothing from the network).
const SVG = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">${body}</svg>`
const ICON_SVG: Record<Draw['icon'], string> = {
  pin: SVG('<path d="M16 1a10 10 0 0 0-10 10c0 8 10 20 10 20s10-12 10-20A10 10 0 0 0 16 1z" fill="#fff"/>'),
  triangle: SVG('<path d="M16 2 31 30H1z" fill="#fff"/>'),
  square: SVG('<rect x="3" y="3" width="26" height="26" fill="#fff"/>'),
  diamond: SVG('<path d="M16 1 31 16 16 31 1 16z" fill="#fff"/>'),
}
const iconUrl = (shape: Draw['icon']) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(ICON_SVG[shape])}`

export const icon: LayerKind<Draw> = {
  columns: (d) => [d.position.lon, d.position.lat, ...fieldOf(d.color), ...fieldOf(d.size)],
  build(d, frame, base) {
    const color = colorProp(frame, d.color)
    const size = sizeProp(frame, d.size)
    const shape = {
      url: iconUrl(d.icon),
      id: d.icon,
      width: 32,
      height: 32,
      mask: true,
      anchorY: d.icon === 'pin' ? 31 : 16,
    }
    return new IconLayer({
      ...base,
      data: {
        length: frame.length,
        attributes: {
          getPosition: { value: positions(frame, d.position.lon, d.position.lat), size: 2 },
          ...(color.attr ? { getColor: color.attr } : {}),
          ...(size.attr ? { getSize: size.attr } : {}),
        },
      },
      getIcon: () => shape,
      ...(color.fixed ? { getColor: color.fixed } : {}),
      ...(size.fixed !== undefined ? { getSize: size.fixed } : {}),
      sizeUnits: 'pixels',
    })
  },
}
