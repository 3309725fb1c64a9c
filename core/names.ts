/** Community names carry their committee's full title; the screen has room for the place only (region data). */
export function shortRegionName(name: string): string {
  return name
    .replace(/社区居民委员会$/, '社区')
    .replace(/社区居委会$/, '社区')
    .replace(/居民委员会$/, '社区')
    .replace(/村民委员会$/, '村')
    .replace(/村委会$/, '村')
}
