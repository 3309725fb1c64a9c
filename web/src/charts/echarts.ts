import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { use } from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'

// Only what the panels draw. SVG keeps text crisp on a wall at any scale and puts axis labels in the DOM.
use([LineChart, BarChart, PieChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer])

export { init, type EChartsType } from 'echarts/core'
export type { EChartsOption } from 'echarts'

export const CHART_TEXT = { color: '#9cc3e6', fontFamily: "'Noto Sans SC', sans-serif", fontSize: 13 }
export const AXIS_LINE = { lineStyle: { color: 'rgba(120, 180, 230, 0.35)' } }
export const SPLIT_LINE = { lineStyle: { color: 'rgba(120, 180, 230, 0.12)', type: 'dashed' as const } }
export const TOOLTIP = {
  backgroundColor: 'rgba(4, 21, 43, 0.92)',
  borderColor: 'rgba(34, 211, 238, 0.6)',
  textStyle: { color: '#e2f1ff', fontFamily: "'Noto Sans SC', sans-serif", fontSize: 13 },
}
export const PALETTE = [
  '#22d3ee',
  '#3b82f6',
  '#2dd4bf',
  '#fbbf24',
  '#a78bfa',
  '#fb7185',
  '#4ade80',
  '#f97316',
  '#60a5fa',
  '#e879f9',
]
