import Flatbush from 'flatbush'
import booleanPointInPolygon from '@turf/boolean-point-in-polygon'
import { feature } from 'topojson-client'
import type { Topology, GeometryCollection } from 'topojson-specification'
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import { childLevel, levelOf, type Level } from './regions.js'
import type { CityConfig, CityInfo } from './schemas/city.js'

export interface Region {
  code: string
  name: string
  level: Level
  parent: string | null
  centroid: [number, number]
  bbox: [number, number, number, number]
}

export interface RegionProps {
  code: string
  name: string
  level: Level
  parent: string | null
}
export type RegionFeature = Feature<Polygon | MultiPolygon, RegionProps>

const OBJECT_BY_LEVEL: Record<Level, string> = {
  city: 'city',
  district: 'districts',
  street: 'streets',
  community: 'communities',
  grid: 'grids',
}

export class City {
  readonly regions = new Map<string, Region>()
  readonly childrenOf = new Map<string, Region[]>()
  readonly root: Region
  private readonly features = new Map<string, RegionFeature>()
  private readonly decodedLevels = new Set<Level>()
  private gridIndex?: { index: Flatbush; grids: Region[] }

  constructor(
    regions: Region[],
    private readonly topology: Topology,
    /** The city file (dashboards/geo/city.yaml): its name, time zone and simulator parameters. */
    readonly config: CityConfig,
  ) {
    for (const r of regions) {
      this.regions.set(r.code, r)
      if (r.parent) {
        const list = this.childrenOf.get(r.parent) ?? []
        list.push(r)
        this.childrenOf.set(r.parent, list)
      }
    }
    const root = regions.find((r) => r.parent === null)
    if (!root) throw new Error('regions.json has no root region (parent null)')
    if (root.code !== config.code)
      throw new Error(`city.yaml says code ${config.code}, regions.json's root is ${root.code}`)
    this.root = root
  }

  /** The city's own zone: the default of IOC_TZ, and the simulated people's clock. */
  get timeZone(): string {
    return this.config.time_zone
  }

  /** What the screen shows of the city before sign-in. */
  get info(): CityInfo {
    return { code: this.config.code, name: this.config.name, name_en: this.config.name_en, center: this.root.centroid }
  }

  get(code: string): Region | undefined {
    return this.regions.get(code)
  }

  children(code: string): Region[] {
    return this.childrenOf.get(code) ?? []
  }

  /** The outline of one region, decoded from the topology a level at a time on first use. */
  outline(code: string): RegionFeature | undefined {
    const level = levelOf(code)
    if (!level) return undefined
    this.decodeLevel(level)
    return this.features.get(code)
  }

  childrenGeoJSON(
    code: string,
  ): FeatureCollection<Polygon | MultiPolygon, RegionProps & { centroid: [number, number] }> {
    const features = this.children(code).flatMap((child) => {
      const f = this.outline(child.code)
      return f ? [{ ...f, properties: { ...f.properties, centroid: child.centroid } }] : []
    })
    return { type: 'FeatureCollection', features }
  }

  /** The grid containing a WGS84 point: an R-tree over grid boxes, then an exact polygon test. */
  locate(lon: number, lat: number): Region | undefined {
    const { index, grids } = this.ensureGridIndex()
    for (const i of index.search(lon, lat, lon, lat)) {
      const grid = grids[i]
      const f = this.outline(grid.code)
      if (f && booleanPointInPolygon([lon, lat], f)) return grid
    }
    return undefined
  }

  private ensureGridIndex(): { index: Flatbush; grids: Region[] } {
    if (!this.gridIndex) {
      const grids = [...this.regions.values()].filter((r) => r.level === 'grid')
      const index = new Flatbush(Math.max(grids.length, 1))
      for (const g of grids) index.add(g.bbox[0], g.bbox[1], g.bbox[2], g.bbox[3])
      if (grids.length === 0) index.add(0, 0, 0, 0)
      index.finish()
      this.gridIndex = { index, grids }
    }
    return this.gridIndex
  }

  private decodeLevel(level: Level): void {
    if (this.decodedLevels.has(level)) return
    const object = this.topology.objects[OBJECT_BY_LEVEL[level]] as GeometryCollection<RegionProps> | undefined
    if (object) {
      const fc = feature(this.topology, object) as FeatureCollection<Polygon | MultiPolygon, RegionProps>
      for (const f of fc.features) this.features.set(f.properties.code, f as RegionFeature)
    }
    this.decodedLevels.add(level)
  }
}

export function hasChildren(region: Region): boolean {
  return childLevel(region.level) !== undefined
}
