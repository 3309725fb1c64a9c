import type { FileError } from '#core/schemas/layer'
import { request } from '../../api/http'
import { fetchFrame } from '../../stores/thematic'
import type { Frame } from '../../map/thematic/frame'

export type Kind = 'layers' | 'alerts'
export type { FileError }

export interface DryRun {
  evaluations: number
  fired: number
  elapsed_ms: number
  events: { at: string; kind: 'fire' | 'resolve'; key: string; region: string; value: number; detail: string }[]
}

export interface Validation {
  errors: FileError[]
  warnings: FileError[]
}

const V = '/api/v1/studio'

/** The studio's calls (api/routes/studio.ts). */
export const studioApi = {
  list: (kind: Kind) => request<{ ids: string[]; errors: FileError[] }>(`${V}/${kind}`),
  read: (kind: Kind, id: string) => request<{ id: string; text: string }>(`${V}/${kind}/${encodeURIComponent(id)}`),
  /** Errors make a draft invalid; warnings (a deprecated table) do not. */
  validate: (kind: Kind, text: string) =>
    request<Validation>(`${V}/${kind}/validate`, { method: 'POST', body: { text } }),
  save: (kind: Kind, id: string, text: string) => request<{ saved: string; action: string }>(`${V}/${kind}/${encodeURIComponent(id)}/save`, { method: 'POST', body: { text } }),
  dryRun: (text: string) => request<DryRun>(`${V}/alerts/dry-run`, { method: 'POST', body: { text } }),
  /** Run a draft layer: the frame and the wall-clock time of the whole round trip. */
  async run(text: string, region: string, range: { from: string; to: string }, token: string | null): Promise<{ frame: Frame; totalMs: number }> {
    const t0 = performance.now()
    const frame = await fetchFrame(`${V}/layers/run`, {}, token, { method: 'POST', body: JSON.stringify({ text, region, ...range }), headers: { 'Content-Type': 'application/json' } })
    return { frame, totalMs: performance.now() - t0 }
  },
}
