import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { ScreenSchema, type Screen, type ScreenList } from '#core/schemas/screen.js'

// Node-only (reads files); the schema in core/schemas/screen.ts stays browser-safe.
export const SCREENS_DIR = fileURLToPath(new URL('../../dashboards/screens/', import.meta.url))

export interface LoadedScreens {
  screens: Screen[]
  errors: ScreenList['errors']
}

/**
 * Every `*.yaml` of the screens folder, validated. A bad file is reported by name, field and reason
 * and left out; the good ones are still served. Files are read on each call: they are a few KB,
 * and an edited screen then shows without a restart.
 */
export function loadScreens(dir = SCREENS_DIR): LoadedScreens {
  const screens: Screen[] = []
  const errors: LoadedScreens['errors'] = []
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
  for (const file of files) {
    let raw: unknown
    try {
      raw = parse(readFileSync(`${dir}/${file}`, 'utf8'))
    } catch (e) {
      errors.push({ file, path: '', message: `not valid YAML: ${e instanceof Error ? e.message : String(e)}` })
      continue
    }
    const r = ScreenSchema.safeParse(raw)
    if (!r.success) {
      for (const issue of r.error.issues) errors.push({ file, path: issue.path.join('.'), message: issue.message })
      continue
    }
    const stem = file.replace(/\.ya?ml$/, '')
    if (r.data.id !== stem) {
      errors.push({ file, path: 'id', message: `id "${r.data.id}" differs from the file name "${stem}"` })
      continue
    }
    screens.push(r.data)
  }
  // The city overview opens first; the rest keep the files' order.
  screens.sort((a, b) => Number(b.id === 'city-overview') - Number(a.id === 'city-overview'))
  return { screens, errors }
}
