import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CatalogNamesSchema } from '../../core/schemas/api.js'
import { loadEventCatalog, loadHotlineCatalog } from '../../platform/config/catalog.js'
import { startHarness } from '../support/harness.js'

let h: Awaited<ReturnType<typeof startHarness>>
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await h.close()
})

describe('GET /api/v1/catalog', () => {
  it('names every catalogue id in Chinese as before, and in English under `en`', async () => {
    const { status, body } = await h.get('/api/v1/catalog', 'leader.xuanwu')
    expect(status).toBe(200)
    const names = CatalogNamesSchema.parse(body)
    const ev = loadEventCatalog()
    const hl = loadHotlineCatalog()
    const matter = ev.classes[0]!.matters[0]!
    expect(names.events[matter.id]).toBe(matter.name)
    expect(names.en?.events[matter.id]).toBe(matter.name_en)
    expect(names.en?.events[ev.classes[0]!.id]).toBe(ev.classes[0]!.name_en)
    expect(names.en?.events[ev.departments[0]!.id]).toBe(ev.departments[0]!.name_en)
    for (const c of hl.channels) {
      expect(names.tickets[c.id]).toBe(c.name)
      expect(names.en?.tickets[c.id]).toBe(c.name_en)
    }
    // The same ids in both languages.
    expect(Object.keys(names.en!.events).sort()).toEqual(Object.keys(names.events).sort())
    expect(Object.keys(names.en!.tickets).sort()).toEqual(Object.keys(names.tickets).sort())
  })
})
