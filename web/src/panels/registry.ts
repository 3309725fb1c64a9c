import { defineAsyncComponent, type Component } from 'vue'
import type { PanelType } from '#core/schemas/screen'
import CategoryPanel from './categories/CategoryPanel.vue'
import FunnelPanel from './funnel/FunnelPanel.vue'
import HotlinePanel from './hotline/HotlinePanel.vue'
import HotspotsPanel from './hotspots/HotspotsPanel.vue'
import KpiPanel from './kpi/KpiPanel.vue'
import LiveFeedPanel from './live-feed/LiveFeedPanel.vue'
import OverduePanel from './overdue/OverduePanel.vue'
import RankingPanel from './ranking/RankingPanel.vue'
import SatisfactionPanel from './satisfaction/SatisfactionPanel.vue'
import TerminalPanel from './terminals/TerminalPanel.vue'
import TrendPanel from './trend/TrendPanel.vue'

// The alerts panel is another module's (issue: thematic layers and alerts); picked up when it exists.
const alertsModule = import.meta.glob<{ default: Component }>('./alerts/AlertsPanel.vue')
const alertsLoader = Object.values(alertsModule)[0]

/** Which component draws each panel type of a screen file; null when this build has none. */
export const PANEL_COMPONENTS: Record<PanelType, Component | null> = {
  kpi: KpiPanel,
  funnel: FunnelPanel,
  trend: TrendPanel,
  ranking: RankingPanel,
  categories: CategoryPanel,
  overdue: OverduePanel,
  terminals: TerminalPanel,
  hotline: HotlinePanel,
  satisfaction: SatisfactionPanel,
  hotspots: HotspotsPanel,
  'live-feed': LiveFeedPanel,
  alerts: alertsLoader ? defineAsyncComponent(alertsLoader) : null,
}
