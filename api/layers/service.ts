import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { LayerSchema, type Layer, type LayerParam } from '#core/schemas/layer.js'
import { alertRuleSchemaFor, type AlertRule } from '#core/schemas/alert.js'
import type { StoreSet } from '#store/client.js'
import { log } from '#platform/log.js'
import type { AppContext } from '../context.js'
import { FileSet, lineOfKey, parseYamlFile, type FileError } from './files.js'
import { DEFAULT_LIMITS, DRAFT_LIMITS, Sandbox, SandboxError } from './sandbox.js'

/** dashboards/ of the repository, or IOC_DASHBOARDS_DIR (tests and the studio's browser test use a copy). */
export function dashboardsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.IOC_DASHBOARDS_DIR || fileURLToPath(new URL('../../dashboards', import.meta.url))
}

/** Errors make a file invalid; warnings (a deprecated table read) do not. */
export interface Checked {
  errors: FileError[]
  warnings: FileError[]
}

/** The SQL check of a validated file: errors and warnings (deprecated tables) on its `sql`/`query` line. */
export async function checkSql(
  sandbox: Sandbox,
  sql: string,
  params: Record<string, LayerParam>,
  text: string,
  file: string,
  key: string,
): Promise<Checked> {
  const at = (message: string): FileError => ({ file, line: lineOfKey(text, [key]), field: key, message })
  try {
    return { errors: [], warnings: (await sandbox.check(sql, params)).map(at) }
  } catch (e) {
    if (!(e instanceof SandboxError)) throw e
    return { errors: [at(e.message)], warnings: [] }
  }
}

/** A file's SQL errors; its warnings go to the log, where an operator sees which files to update. */
async function sqlErrors(...args: Parameters<typeof checkSql>): Promise<FileError[]> {
  const { errors, warnings } = await checkSql(...args)
  for (const w of warnings) log.warn(w, 'deprecated table in dashboards')
  return errors
}

/** Layers and alert rules of one process: files validated at start and on change, and the sandboxes they run in. */
export class Thematic {
  /** The files' queries, for the wall (interactive workload). */
  readonly sandbox: Sandbox
  /** The studio's drafts (adhoc workload): niced, with tighter result and memory bounds. */
  readonly drafts: Sandbox
  /** Alert rules on their schedule (background workload). */
  readonly rulesSandbox: Sandbox
  readonly layers: FileSet<Layer>
  readonly rules: FileSet<AlertRule>
  readonly dir: string
  private readonly ruleSchema: ReturnType<typeof alertRuleSchemaFor>

  constructor(
    stores: Pick<StoreSet, 'interactive' | 'adhoc' | 'background'>,
    /** The city's root region: a rule's scope when its file names none, and the region of SQL checks. */
    root: string,
    dir = dashboardsDir(),
    /** IOC_TERMINAL_SILENCE_MINUTES in ms, for the `terminals` view (sandbox.ts). */
    silenceMs?: number,
  ) {
    this.dir = dir
    this.ruleSchema = alertRuleSchemaFor(root)
    this.sandbox = new Sandbox(stores.interactive, DEFAULT_LIMITS, root, silenceMs)
    this.drafts = new Sandbox(stores.adhoc, DRAFT_LIMITS, root, silenceMs)
    this.rulesSandbox = new Sandbox(stores.background, DEFAULT_LIMITS, root, silenceMs)
    this.layers = new FileSet<Layer>({
      dir: join(dir, 'layers'),
      schema: LayerSchema,
      idOf: (l) => l.id,
      check: (l, text, file) => sqlErrors(this.sandbox, l.sql, l.params, text, file, 'sql'),
    })
    this.rules = new FileSet<AlertRule>({
      dir: join(dir, 'alerts'),
      schema: this.ruleSchema,
      idOf: (r) => r.id,
      check: (r, text, file) => sqlErrors(this.rulesSandbox, r.query, r.params, text, file, 'query'),
    })
  }

  private started?: Promise<void>

  /** Load both folders once and keep watching them; every route awaits this. */
  ready(): Promise<void> {
    this.started ??= Promise.all([this.layers.load(), this.rules.load()]).then(() => {
      this.layers.watch()
      this.rules.watch()
    })
    return this.started
  }

  close(): void {
    this.layers.close()
    this.rules.close()
  }

  /**
   * Validate a layer's YAML text (the studio): schema errors, then the sandbox's verdict on its SQL;
   * warnings (deprecated tables) do not make it invalid.
   */
  async validateLayer(text: string, file = 'layer.yaml'): Promise<Checked & { layer?: Layer }> {
    const parsed = parseYamlFile(file, text, LayerSchema)
    if (!parsed.ok) return { errors: parsed.errors, warnings: [] }
    const checked = await checkSql(this.drafts, parsed.value.sql, parsed.value.params, text, file, 'sql')
    return checked.errors.length ? checked : { layer: parsed.value, ...checked }
  }

  async validateRule(text: string, file = 'rule.yaml'): Promise<Checked & { rule?: AlertRule }> {
    const parsed = parseYamlFile(file, text, this.ruleSchema)
    if (!parsed.ok) return { errors: parsed.errors, warnings: [] }
    const checked = await checkSql(this.drafts, parsed.value.query, parsed.value.params, text, file, 'query')
    return checked.errors.length ? checked : { rule: parsed.value, ...checked }
  }
}

// One per app context: the routes of layers, alerts and the studio share it, and the process's
// start-up code starts it (files loaded and watched) and the alert evaluator.
const instances = new WeakMap<AppContext, Thematic>()
export function thematicFor(ctx: AppContext): Thematic {
  let t = instances.get(ctx)
  if (!t) {
    t = new Thematic(ctx.stores, ctx.city.root.code, undefined, ctx.terminalSilenceMs)
    instances.set(ctx, t)
  }
  return t
}
