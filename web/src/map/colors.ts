export type RGBA = [number, number, number, number]

/** Choropleth ramp for the share of the busiest child (0..1): deep navy to bright cyan. */
export const RAMP: [number, string][] = [
  [0, '#0e2d52'],
  [0.25, '#14487d'],
  [0.5, '#1a6fac'],
  [0.75, '#2298cf'],
  [1, '#46d8f0'],
]
export const NO_DATA = '#0a1d36'

export type EventStatus = 'open' | 'overdue' | 'closed'
export const EVENT_COLORS: Record<EventStatus, RGBA> = {
  open: [251, 146, 60, 235],
  overdue: [244, 63, 94, 255],
  closed: [74, 222, 128, 150],
}

export type TerminalState = 'online' | 'offline' | 'fault' | 'maintenance'
export const TERMINAL_COLORS: Record<TerminalState, RGBA> = {
  online: [45, 212, 191, 255],
  offline: [148, 163, 184, 255],
  fault: [244, 114, 182, 255],
  maintenance: [167, 139, 250, 255],
}

export const css = (c: RGBA) => `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${(c[3] / 255).toFixed(2)})`
