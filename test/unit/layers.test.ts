import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { inQuiet, robustZ } from '#api/alerts/evaluator.js'
import { parseYamlFile } from '#api/layers/files.js'
import { encodeFrame, kindOf } from '#api/layers/frame.js'
import { jsonSchemas, withReference } from '#api/layers/reference.js'
import { checkAst, deprecations, singleStatement } from '#api/layers/sandbox.js'
import { AlertRuleSchema } from '#core/schemas/alert.js'
import { LayerSchema } from '#core/schemas/layer.js'
import { cell, decodeFrame, numbers } from '../../web/src/map/thematic/frame.js'

const ROOT = join(import.meta.dirname, '../..')
const layerText = readFileSync(join(ROOT, 'dashboards/layers/terminal-status.yaml'), 'utf8')
const ruleText = readFileSync(join(ROOT, 'dashboards/alerts/street-overdue-backlog.yaml'), 'utf8')
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1

describe('broken files say which file, line and field', () => {
  it('a layer with a bad draw type, a missing legend and a reserved parameter', () => {
    const text =
      layerText.replace('type: scatter', 'type: bubbles').replace(/^legend:[\s\S]*?(?=^refresh_seconds)/m, '') +
      'params:\n  region: { type: String, default: x }\n'
    const r = parseYamlFile('terminal-status.yaml', text, LayerSchema)
    expect(r.ok).toBe(false)
    if (r.ok) return
    const by = Object.fromEntries(r.errors.map((e) => [e.field, e]))
    expect(by['draw.type']).toMatchObject({ file: 'terminal-status.yaml', line: lineOf(text, 'type: bubbles') })
    expect(by.legend).toMatchObject({ line: lineOf(text, 'id:'), message: expect.stringMatching(/expected object/) })
    expect(by.params).toMatchObject({
      line: lineOf(text, 'params:') + 1,
      message: expect.stringMatching(/bound by the sandbox/),
    })
  })

  it('a YAML syntax error gives its line', () => {
    const text = layerText.replace('levels: [city, district, street, community, grid]', 'levels: [city, district')
    const r = parseYamlFile('x.yaml', text, LayerSchema)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]).toMatchObject({ file: 'x.yaml', field: '(yaml)', line: lineOf(text, 'levels:') + 1 })
  })

  it('a rule with an unknown condition and a bad quiet period', () => {
    const text = ruleText
      .replace("kind: threshold, op: '>=', value: 8, clear: 5", 'kind: sometimes')
      .replace('every_seconds: 120', "every_seconds: 120\nquiet:\n  - { from: '25:00', to: '06:00' }")
    const r = parseYamlFile('street-overdue-backlog.yaml', text, AlertRuleSchema)
    expect(r.ok).toBe(false)
    if (r.ok) return
    const fields = r.errors.map((e) => [e.field, e.line])
    expect(fields).toContainEqual(['condition.kind', lineOf(text, 'kind: sometimes')])
    expect(fields).toContainEqual(['quiet.0.from', lineOf(text, "'25:00'")])
  })
})

describe('the sandbox’s own checks', () => {
  it('refuses a second statement before anything runs', () => {
    expect(() => singleStatement('SELECT 1; DROP TABLE x')).toThrow(/one statement/)
    expect(singleStatement('  SELECT 1;  ')).toBe('SELECT 1')
  })
  it('reads ClickHouse’s AST: table functions and qualified tables are refused', () => {
    const ast = [
      'SelectWithUnionQuery (children 1)',
      ' ExpressionList (children 1)',
      '  SelectQuery (children 2)',
      '   TablesInSelectQuery (children 1)',
      '    TablesInSelectQueryElement (children 1)',
      '     TableExpression (children 1)',
    ]
    expect(() => checkAst([...ast, '      Function s3 (children 1)'])).toThrow(/table function s3/)
    expect(() => checkAst([...ast, '      TableIdentifier system.tables'])).toThrow(/without a database/)
    expect(() => checkAst([...ast, '      TableIdentifier grid_events'])).not.toThrow()
    expect(() => checkAst(['InsertQuery (children 2)'])).toThrow(/only a SELECT/)
  })
  it('names the view to read for each deprecated table a query names, once', () => {
    const ast = ['SelectWithUnionQuery (children 1)', ' ExpressionList (children 1)', '  SelectQuery (children 2)']
    const tables = ['event_state', 'events', 'event_state', 'terminals_rollup', 'regions'].map(
      (t) => `      TableIdentifier ${t}`,
    )
    expect(deprecations([...ast, ...tables])).toEqual([
      'event_state is deprecated: read the view events (docs/layers.md, "The views")',
      'terminals_rollup is deprecated: read the view terminal_counts (docs/layers.md, "The views")',
    ])
    expect(deprecations([...ast, '      TableIdentifier event_steps', '      Identifier grid_events'])).toEqual([])
  })
})

describe('the columnar frame', () => {
  it('round-trips numbers, times, text and paths without per-row objects', () => {
    const bytes = encodeFrame(
      {
        meta: [
          { name: 'lon', type: 'Float64' },
          { name: 'n', type: 'UInt64' },
          { name: 'status', type: 'LowCardinality(String)' },
          { name: 'ts', type: "DateTime64(3, 'UTC')" },
          { name: 'path', type: 'Array(Tuple(Float64, Float64))' },
          { name: 'p', type: 'Nullable(Float32)' },
        ],
        data: [
          [
            118.78,
            '3',
            'online',
            '2026-11-23 08:00:00.000',
            [
              [118.7, 32.0],
              [118.8, 32.1],
            ],
            0.5,
          ],
          [118.9, '12', 'fault', '2026-11-23 09:30:00.000', [], null],
          [119.0, '7', 'online', '2026-11-23 10:00:00.000', [[119, 32]], 1],
        ],
        rows: 3,
        truncated: false,
        elapsedMs: 4.2,
        rowsRead: 10,
        bytesRead: 100,
      },
      { layer: 't', region: '3201' },
    )
    const f = decodeFrame(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
    expect(f.length).toBe(3)
    expect(Array.from(numbers(f, 'lon'))).toEqual([118.78, 118.9, 119])
    expect(Array.from(numbers(f, 'n'))).toEqual([3, 12, 7])
    const status = f.columns.get('status')
    expect(status?.kind === 'dict' && status.dict).toEqual(['online', 'fault'])
    expect(numbers(f, 'ts')[1]).toBe(Date.parse('2026-11-23T09:30:00Z'))
    const path = f.columns.get('path')
    expect(path?.kind === 'path' && [Array.from(path.starts), Array.from(path.coords)]).toEqual([
      [0, 2, 2, 3],
      [118.7, 32, 118.8, 32.1, 119, 32],
    ])
    expect(Number.isNaN(numbers(f, 'p')[1])).toBe(true)
    expect(cell(f, 'status', 2)).toBe('online')
    expect(kindOf('Nullable(Float32)')).toBe('f32')
  })
})

describe('alert conditions', () => {
  it('robust z-score: against the median, spread from the MAD, never below √median or 1', () => {
    expect(robustZ(30, [10, 12, 11, 9]).z).toBeCloseTo((30 - 10.5) / Math.max(1.4826 * 1, Math.sqrt(10.5)), 6)
    expect(robustZ(3, [0, 0, 0, 0]).z).toBe(3)
    expect(robustZ(100, [100, 100, 100]).z).toBe(0)
  })
  it('quiet periods in the city’s time zone, across midnight and by weekday', () => {
    const rule = AlertRuleSchema.parse({
      ...parseRule(),
      quiet: [
        { from: '23:00', to: '07:00' },
        { from: '12:00', to: '13:00', days: [6, 7] },
      ],
    })
    const at = (iso: string) => Date.parse(iso)
    expect(inQuiet(rule, at('2026-11-23T16:30:00Z'), 'Asia/Shanghai')).toBe(true) // 00:30 Tuesday
    expect(inQuiet(rule, at('2026-11-23T01:00:00Z'), 'Asia/Shanghai')).toBe(false) // 09:00 Monday
    expect(inQuiet(rule, at('2026-11-22T04:30:00Z'), 'Asia/Shanghai')).toBe(true) // 12:30 Sunday
    expect(inQuiet(rule, at('2026-11-23T04:30:00Z'), 'Asia/Shanghai')).toBe(false) // 12:30 Monday
  })
})

function parseRule() {
  const r = parseYamlFile('r.yaml', ruleText, AlertRuleSchema)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.value
}

describe('generated reference', () => {
  it('docs/layers.md and dashboards/schemas/*.json are current (npm run layers:check -- --write)', () => {
    const doc = readFileSync(join(ROOT, 'docs/layers.md'), 'utf8')
    expect(withReference(doc)).toBe(doc)
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      expect(JSON.parse(readFileSync(join(ROOT, 'dashboards/schemas', name), 'utf8')), name).toEqual(schema)
    }
  })
})
