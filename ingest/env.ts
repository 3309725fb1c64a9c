import { z } from 'zod'

/** The ingest service's own settings (README "Ingest"); a bad value stops the process with its name. */
export const IngestEnvSchema = z.object({
  /** `stored`: answer once records are in ClickHouse (or fsync'd while it is down); `spooled`: once fsync'd. */
  IOC_INGEST_ACK: z.enum(['stored', 'spooled']).default('stored'),
  /** Bytes of accepted records the local spool may hold before senders get 429. */
  IOC_SPOOL_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1 << 30),
})
export type IngestEnv = z.infer<typeof IngestEnvSchema>

export function readIngestEnv(env: NodeJS.ProcessEnv = process.env): IngestEnv {
  const parsed = IngestEnvSchema.safeParse(env)
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    throw new Error(`environment ${i.path.join('.')}: ${i.message}`)
  }
  return parsed.data
}
