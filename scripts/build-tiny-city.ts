// Writes the tiny synthetic city of the tests (test/fixtures/city-tiny: regions.json and
// tiny.topo.json beside its hand-written city.yaml): 2 districts × 1 street × 2 communities × 2
// grids of rectangles near 13.4°E 52.5°N, so nothing in it matches the demo city's codes, names,
// place or zone. Deterministic: `npx tsx scripts/build-tiny-city.ts` rewrites the same bytes.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Feature, FeatureCollection, Polygon } from 'geojson'
import { topology } from 'topojson-server'
import type { Region } from '#core/city.js'
import type { Level } from '#core/regions.js'

const OUT = fileURLToPath(new URL('../test/fixtures/city-tiny/', import.meta.url))
const ROOT = { code: '9901', name: '微城市' }
const DISTRICTS = [
  { code: '990101', name: '东湖区' },
  { code: '990102', name: '西山区' },
]
// The whole city: 0.2° × 0.1°; a district is a half, a street all of its district, a community a
// half of its street, a grid a half of its community.
const X0 = 13.3
const Y0 = 52.45
const W = 0.2
const H = 0.1

type Box = [number, number, number, number]
const r5 = (v: number) => Math.round(v * 1e5) / 1e5
const rows: Region[] = []
const features: Record<Level, Feature<Polygon, { code: string; name: string; level: Level; parent: string | null }>[]> =
  {
    city: [],
    district: [],
    street: [],
    community: [],
    grid: [],
  }

function add(code: string, name: string, level: Level, parent: string | null, [x0, y0, x1, y1]: Box): void {
  const bbox: Box = [r5(x0), r5(y0), r5(x1), r5(y1)]
  rows.push({ code, name, level, parent, centroid: [r5((x0 + x1) / 2), r5((y0 + y1) / 2)], bbox })
  const ring = [
    [bbox[0], bbox[1]],
    [bbox[2], bbox[1]],
    [bbox[2], bbox[3]],
    [bbox[0], bbox[3]],
    [bbox[0], bbox[1]],
  ]
  features[level].push({
    type: 'Feature',
    properties: { code, name, level, parent },
    geometry: { type: 'Polygon', coordinates: [ring] },
  })
}

add(ROOT.code, ROOT.name, 'city', null, [X0, Y0, X0 + W, Y0 + H])
DISTRICTS.forEach((d, di) => {
  const dx = X0 + (di * W) / 2
  add(d.code, d.name, 'district', ROOT.code, [dx, Y0, dx + W / 2, Y0 + H])
  const street = `${d.code}001`
  add(street, `${d.name.slice(0, 2)}街道`, 'street', d.code, [dx, Y0, dx + W / 2, Y0 + H])
  for (let c = 0; c < 2; c++) {
    const community = `${street}00${c + 1}`
    const cy = Y0 + (c * H) / 2
    add(community, `${d.name.slice(0, 2)}${c + 1}社区居委会`, 'community', street, [dx, cy, dx + W / 2, cy + H / 2])
    for (let g = 0; g < 2; g++) {
      const gx = dx + (g * W) / 4
      add(`${community}00${g + 1}`, `第00${g + 1}网格`, 'grid', community, [gx, cy, gx + W / 4, cy + H / 2])
    }
  }
})

rows.sort((a, b) => (a.code < b.code ? -1 : 1))
const collection = (level: Level): FeatureCollection => ({ type: 'FeatureCollection', features: features[level] })
const topo = topology(
  {
    city: collection('city'),
    districts: collection('district'),
    streets: collection('street'),
    communities: collection('community'),
    grids: collection('grid'),
  },
  1e5,
)
writeFileSync(join(OUT, 'regions.json'), `[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`)
writeFileSync(join(OUT, 'tiny.topo.json'), `${JSON.stringify(topo)}\n`)
console.log(`wrote ${rows.length} regions to ${OUT}`)
