/**
 * The synthetic subdivision of one district: streets inside the district,
 * communities inside each street, grids inside each community. A pure
 * function of the district outline and the unit lists (every random stream is
 * keyed by the parent's code), so districts can be built and tested alone.
 */
import { urbanDensity } from './density.js'
import { partition } from './partition.js'
import type { MultiPolygon, Unit } from './types.js'

export interface DistrictPlan {
  district: Unit
  outline: MultiPolygon
  streets: Unit[]
  /** Children of each street / community, in code order. */
  children: Map<string, Unit[]>
}

export interface DistrictShapes {
  /** Outline of every street, community and grid of the district, by code. */
  shapes: Map<string, MultiPolygon>
}

/** Number of grids below a unit: the size a child's cell should have (times local density). */
function gridCount(u: Unit, children: Map<string, Unit[]>): number {
  if (u.level === 'grid') return 1
  return (children.get(u.code) ?? []).reduce((s, c) => s + gridCount(c, children), 0)
}

function split(
  parent: Unit,
  outline: MultiPolygon,
  children: Unit[],
  plan: DistrictPlan,
  out: Map<string, MultiPolygon>,
): void {
  // Grids are small: fewer samples and iterations are plenty.
  const fine = children[0]?.level === 'grid'
  const cells = partition(outline, {
    targets: children.map((c) => gridCount(c, plan.children)),
    key: parent.code,
    count: children.length,
    weight: urbanDensity,
    samplesPerCell: fine ? 30 : 40,
    minSamples: fine ? 120 : 300,
    iterations: fine ? 4 : 6,
  })
  children.forEach((c, i) => out.set(c.code, cells[i]))
}

export function subdivideDistrict(plan: DistrictPlan): DistrictShapes {
  const shapes = new Map<string, MultiPolygon>()
  split(plan.district, plan.outline, plan.streets, plan, shapes)
  for (const street of plan.streets) {
    const communities = plan.children.get(street.code) ?? []
    if (!communities.length) throw new Error(`street ${street.code} ${street.name} has no communities`)
    split(street, shapes.get(street.code)!, communities, plan, shapes)
    for (const community of communities) {
      const grids = plan.children.get(community.code) ?? []
      if (!grids.length) throw new Error(`community ${community.code} has no grids`)
      split(community, shapes.get(community.code)!, grids, plan, shapes)
    }
  }
  return { shapes }
}
