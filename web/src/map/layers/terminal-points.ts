import { ScatterplotLayer } from '@deck.gl/layers'
import { TERMINAL_COLORS, type TerminalState } from '../colors'

export interface TerminalPoint {
  id: string
  position: [number, number]
  status: TerminalState
  site: string
}

/** Self-service terminals as rings (events are filled dots), the ring coloured by status. */
export function terminalPointsLayer(data: TerminalPoint[]) {
  return new ScatterplotLayer<TerminalPoint>({
    id: 'terminal-points',
    data,
    getPosition: (d) => d.position,
    getFillColor: [4, 21, 43, 220],
    getLineColor: (d) => TERMINAL_COLORS[d.status],
    getRadius: (d) => (d.status === 'online' ? 5 : 6.5),
    radiusUnits: 'pixels',
    stroked: true,
    filled: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 2,
    pickable: true,
    parameters: { depthCompare: 'always' },
  })
}
