import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { schemaDoc } from '#store/schema-doc.js'

/** Write docs/schema.md from the schema registry (store/schema.ts). */
writeFileSync(fileURLToPath(new URL('../docs/schema.md', import.meta.url)), schemaDoc())
