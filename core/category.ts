/** Class of a matter id (`appearance.garbage` → `appearance`); a bare category is its own class. */
export function classOf(category: string): string {
  const dot = category.indexOf('.')
  return dot < 0 ? category : category.slice(0, dot)
}
