// The house's one-way layers (docs/architecture.md), checked by `npm test` (test/unit/dependencies.test.ts):
// core ← store ← platform ← ingest, api, simulator ← bin (the entry points); web imports only core.
const layers = {
  core: ['core'],
  store: ['core', 'store'],
  platform: ['core', 'store', 'platform'],
  ingest: ['core', 'store', 'platform', 'ingest'],
  api: ['core', 'store', 'platform', 'api'],
  // A client of the system like any sender; it reads the store only to resume its story (simulator/resume.ts).
  simulator: ['core', 'store', 'platform', 'simulator'],
  bin: ['core', 'store', 'platform', 'ingest', 'api', 'simulator', 'bin'],
  web: ['core', 'web'],
}
const all = Object.keys(layers)
const folder = (name) => (name === 'web' ? '^web/src/' : `^${name}/`)

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...Object.entries(layers).map(([from, allowed]) => ({
      name: `${from}-imports-down-only`,
      comment: `${from}/ may import only ${allowed.join(', ')}`,
      severity: 'error',
      from: { path: folder(from) },
      to: {
        path: `^(${all
          .filter((l) => !allowed.includes(l))
          .map((l) => folder(l).slice(1))
          .join('|')})`,
      },
    })),
    {
      name: 'core-is-browser-safe',
      comment: 'core/ runs in the browser too: no Node built-ins',
      severity: 'error',
      from: { path: '^core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'product-code-not-on-tests-or-tools',
      comment: 'product code never imports tests, benches or scripts',
      severity: 'error',
      from: { path: `^(${all.map((l) => folder(l).slice(1)).join('|')})` },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'no-unresolvable',
      comment: 'an alias that resolves nowhere would hide a dependency from these rules',
      severity: 'error',
      from: {},
      // Types-only packages (@types/geojson, @types/topojson-specification) have no module to resolve.
      to: { couldNotResolve: true, pathNot: '^(geojson|topojson-specification)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.vue', '.json'],
    },
  },
}
