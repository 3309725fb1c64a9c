import en from '../../i18n/locales/en'
import zhCN from '../../i18n/locales/zh-CN'

// What "new" starts from in the studio: a small valid file to edit, not an empty page. Its words are
// the screen's messages in both languages (a file carries both, the legend's labels too).

export const NEW_LAYER = `# yaml-language-server: $schema=../schemas/layer.schema.json
id: my-layer
title: { zh: ${zhCN.studio.newLayer}, en: ${en.studio.newLayer} }
description: Events reported in the time range.
levels: [city, district, street, community]
sql: |
  SELECT lon, lat, category
  FROM event_steps
  WHERE step = 'reported'
    AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
    AND startsWith(grid_code, {region:String})
draw:
  type: scatter
  radius: 4
  color: '#4fc3f7'
  tooltip: [category]
legend: { kind: categories, items: [{ label: { zh: ${zhCN.studio.eventsLabel}, en: ${en.studio.eventsLabel} }, color: '#4fc3f7' }] }
`

export const NEW_RULE = `# yaml-language-server: $schema=../schemas/alert.schema.json
id: my-rule
title: { zh: ${zhCN.studio.newRule}, en: ${en.studio.newRule} }
severity: warning
query: |
  SELECT substring(grid_code, 1, 9) AS key, substring(grid_code, 1, 9) AS region, count() AS value
  FROM event_steps
  WHERE step = 'reported' AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
  GROUP BY key, region
condition: { kind: threshold, op: '>=', value: 20, clear: 15 }
lookback_minutes: 60
`

/** The id a file's text declares (top-level \`id:\`), for naming the file when saving. */
export function idOf(text: string): string | null {
  const m = /^id:\s*['"]?([a-z][a-z0-9_-]{1,63})['"]?\s*$/m.exec(text)
  return m ? m[1] : null
}
