import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs'
import { basename, join } from 'node:path'
import { isNode, LineCounter, parseDocument, type Document } from 'yaml'
import type { z } from 'zod'
import type { FileError } from '#core/schemas/layer.js'
import { log } from '#platform/log.js'

export type { FileError }

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FileError[] }

/** The 1-based line of a path in a YAML document: the deepest node that exists on the way. */
function lineOf(doc: Document, counter: LineCounter, path: (string | number)[]): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line
  }
  return null
}

/** Parse YAML text and validate it with a zod schema; every error carries its line and field. */
export function parseYamlFile<S extends z.ZodType>(file: string, text: string, schema: S): Parsed<z.infer<S>> {
  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false })
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        file,
        line: counter.linePos(e.pos[0]).line,
        field: '(yaml)',
        message: e.message.split('\n')[0],
      })),
    }
  }
  const parsed = schema.safeParse(doc.toJS())
  if (parsed.success) return { ok: true, value: parsed.data }
  return {
    ok: false,
    errors: parsed.error.issues.map((i) => {
      const path = i.path.filter((p): p is string | number => typeof p !== 'symbol')
      return { file, line: lineOf(doc, counter, path), field: path.join('.') || '(file)', message: i.message }
    }),
  }
}

/** The line of a top-level key (e.g. `sql`) for errors found after validation. */
export function lineOfKey(text: string, path: (string | number)[]): number | null {
  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter })
  return lineOf(doc, counter, path)
}

export interface FileSetOptions<T> {
  dir: string
  schema: z.ZodType<T>
  /** What an item's file must be called: `<id>.yaml`. */
  idOf: (item: T) => string
  /** Further checks after the schema (the SQL sandbox); errors move the file to the invalid ones. */
  check?: (item: T, text: string, file: string) => Promise<FileError[]>
  /** Called after each (re)load. */
  onChange?: () => void
}

/**
 * A folder of YAML files, each validated on its own: a broken file is reported with file, line
 * and field while the valid ones keep working. `watch()` reloads on change without a restart.
 */
export class FileSet<T> {
  private items = new Map<string, T>()
  private errors: FileError[] = []
  private watcher?: FSWatcher
  private timer?: NodeJS.Timeout
  private loading: Promise<void> = Promise.resolve()

  constructor(private readonly opts: FileSetOptions<T>) {}

  get dir(): string {
    return this.opts.dir
  }

  list(): T[] {
    return [...this.items.values()]
  }

  get(id: string): T | undefined {
    return this.items.get(id)
  }

  problems(): FileError[] {
    return this.errors
  }

  /** Read and check every file; resolves once the new set is in place. */
  load(): Promise<void> {
    this.loading = this.loading.then(() => this.loadNow())
    return this.loading
  }

  private async loadNow(): Promise<void> {
    const items = new Map<string, T>()
    const errors: FileError[] = []
    const files = existsSync(this.opts.dir)
      ? readdirSync(this.opts.dir)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
      : []
    for (const f of files) {
      const file = join(this.opts.dir, f)
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch (e) {
        // Deleted between listing and reading (an editor's save): the next event reloads.
        errors.push({ file: f, line: null, field: '(file)', message: (e as Error).message })
        continue
      }
      const parsed = parseYamlFile(f, text, this.opts.schema)
      if (!parsed.ok) {
        errors.push(...parsed.errors)
        continue
      }
      const id = this.opts.idOf(parsed.value)
      if (basename(f).replace(/\.ya?ml$/, '') !== id) {
        errors.push({
          file: f,
          line: lineOfKey(text, ['id']),
          field: 'id',
          message: `the file of ${id} must be called ${id}.yaml`,
        })
        continue
      }
      if (items.has(id)) {
        errors.push({ file: f, line: lineOfKey(text, ['id']), field: 'id', message: `id ${id} is used twice` })
        continue
      }
      const more = this.opts.check ? await this.opts.check(parsed.value, text, f) : []
      if (more.length > 0) {
        errors.push(...more)
        continue
      }
      items.set(id, parsed.value)
    }
    this.items = items
    this.errors = errors
    for (const e of errors) log.warn(e, 'invalid file in dashboards')
    this.opts.onChange?.()
  }

  /** Reload on any change in the folder (debounced: editors write in several steps). */
  watch(): void {
    if (this.watcher || !existsSync(this.opts.dir)) return
    this.watcher = watch(this.opts.dir, () => {
      clearTimeout(this.timer)
      this.timer = setTimeout(() => void this.load(), 150)
    })
    this.watcher.on('error', (err) => log.warn({ err, dir: this.opts.dir }, 'watching dashboards failed'))
    // Watching never keeps a process alive on its own (tests, scripts).
    this.watcher.unref()
  }

  close(): void {
    clearTimeout(this.timer)
    this.watcher?.close()
    this.watcher = undefined
  }
}
