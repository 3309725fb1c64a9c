import { shallowRef } from 'vue'
import { CityInfoSchema, type CityInfo } from '#core/schemas/city'
import { loc } from '../i18n'

/**
 * The city the server runs for (its city file, served at GET /city.json without a token), learned
 * before the app mounts (main.ts): the login page's title and the scope before sign-in.
 */
export const cityInfo = shallowRef<CityInfo | null>(null)

/** Fetch /city.json; on failure the screen shows no city name until the regions load. */
export async function loadCityInfo(fetchImpl: typeof fetch = fetch): Promise<void> {
  const res = await fetchImpl('/city.json', { cache: 'no-cache' })
  if (!res.ok) throw new Error(`/city.json: ${res.status}`)
  cityInfo.value = CityInfoSchema.parse(await res.json())
}

/**
 * A region's name in the screen's language. Only the city has an English name (city.yaml `name_en`);
 * districts, streets and communities are named in Chinese alone in dashboards/geo, so they stay so.
 */
export function regionName(r: { code: string; name: string }): string {
  const c = cityInfo.value
  return c && r.code === c.code ? loc({ zh: r.name, en: c.name_en }) : r.name
}
