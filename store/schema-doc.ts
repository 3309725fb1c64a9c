import { RAW_COLUMNS, REJECT_COLUMNS, TABLE_COLUMNS, tableName, viewName, type ColumnDef } from './schema.js'

/**
 * docs/schema.md, generated from the schema registry (store/schema.ts) by `npm run db:docs`;
 * test/unit/store-schema.test.ts fails when the file in the repository differs.
 */
export function schemaDoc(): string {
  const out = [
    '# Database schema',
    '',
    '<!-- Generated from store/schema.ts by `npm run db:docs`: edit the registry, not this file. -->',
    '',
    'The schema registry (`store/schema.ts`) declares every table and view the code names, and the columns,',
    'types and defaults of every table. The migrations in `store/migrations/` are its history;',
    '`test/integration/store-schema.int.test.ts` checks a freshly migrated store against the registry.',
    '',
    '## Tables',
    '',
    '| Name in code | Table |',
    '| --- | --- |',
    ...Object.entries(tableName).map(([key, name]) => `| \`tables.${key}\` | \`${name}\` |`),
    '',
    '## Views for layer and alert authors',
    '',
    'Their columns are documented in docs/layers.md, "The views".',
    '',
    '| Name in code | View |',
    '| --- | --- |',
    ...Object.entries(viewName).map(([key, name]) => `| \`viewName.${key}\` | \`${name}\` |`),
    '',
  ]
  const columns = (title: string, cs: readonly (ColumnDef & { fallback?: number })[]) => [
    `## ${title}`,
    '',
    '| Column | Type | Default | Ingest stores when absent |',
    '| --- | --- | --- | --- |',
    ...cs.map((c) => {
      const absent = c.default
        ? '(the default)'
        : c.type.startsWith('Nullable')
          ? 'NULL'
          : (c.fallback ?? (/String/.test(c.type) ? "''" : ''))
      return `| \`${c.name}\` | \`${c.type}\` | ${c.default ? `\`${c.default}\`` : ''} | ${absent} |`
    }),
    '',
  ]
  for (const [name, cs] of Object.entries(RAW_COLUMNS)) out.push(...columns(`\`${name}\``, cs))
  out.push(...columns('`rejects`', REJECT_COLUMNS))
  // Tables no record is written to directly: no ingest column.
  for (const [name, cs] of Object.entries(TABLE_COLUMNS)) {
    out.push(
      `## \`${name}\``,
      '',
      '| Column | Type | Default |',
      '| --- | --- | --- |',
      ...cs.map((c: ColumnDef) => `| \`${c.name}\` | \`${c.type}\` | ${c.default ? `\`${c.default}\`` : ''} |`),
      '',
    )
  }
  return out.join('\n')
}
