import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { MetricInfo } from '#core/schemas/metrics'
import type { Locale } from '../i18n'
import { api } from '../api'
import { loadOnce } from '../util/load-once'

/** A catalogue entry as it may arrive: a server older than the `definition` field has `description` only. */
export type MetricEntry = Omit<MetricInfo, 'definition'> & { definition?: MetricInfo['definition'] }

/** A metric's title in a language, or null when the catalogue does not list it (yet). */
export function metricTitle(m: MetricEntry | undefined, l: Locale): string | null {
  return m ? m.title[l] : null
}

/** A metric's definition in a language; the English description where the server gives no definition. */
export function metricDefinition(m: MetricEntry | undefined, l: Locale): string | null {
  if (!m) return null
  return m.definition?.[l] || m.description || null
}

/**
 * The metric catalogue (GET /api/v1/metrics), fetched once: what each number on the screen is, in
 * both languages, so a card's label and its definition are the catalogue's and never drift from it.
 */
export const useMetricsStore = defineStore('metrics', () => {
  const byId = shallowRef<ReadonlyMap<string, MetricEntry>>(new Map())
  // Labels fall back to the screen's own words until it has loaded.
  const load = loadOnce(api.metrics, (list) => {
    byId.value = new Map(list.metrics.map((m) => [m.id, m as MetricEntry]))
  })
  const title = (id: string, l: Locale) => metricTitle(byId.value.get(id), l)
  const definition = (id: string, l: Locale) => metricDefinition(byId.value.get(id), l)
  return { byId, load, title, definition }
})
