/** Choropleth ramp for the share of the busiest child (0..1): deep navy to bright cyan. */
export const RAMP: [number, string][] = [
  [0, '#0e2d52'],
  [0.25, '#14487d'],
  [0.5, '#1a6fac'],
  [0.75, '#2298cf'],
  [1, '#46d8f0'],
]
export const NO_DATA = '#0a1d36'
