import type { FileError } from '#core/schemas/layer'
import { routes, type StudioKind } from '#core/contract/index'
import { call, pathOf, type Answer } from '../../api/call'
import { fetchFrame } from '../../stores/thematic'
import type { Frame } from '../../map/thematic/frame'

export type Kind = StudioKind
export type { FileError }

export type DryRun = Answer<typeof routes.studioDryRun>
/** Errors make a draft invalid; warnings (a deprecated table) do not. */
export type Validation = Answer<typeof routes.studioValidate>

/** The studio's calls (api/routes/studio.ts). */
export const studioApi = {
  list: (kind: Kind) => call(routes.studioList, { params: { kind } }),
  read: (kind: Kind, id: string) => call(routes.studioRead, { params: { kind, id } }),
  validate: (kind: Kind, text: string) => call(routes.studioValidate, { params: { kind }, body: { text } }),
  save: (kind: Kind, id: string, text: string) => call(routes.studioSave, { params: { kind, id }, body: { text } }),
  dryRun: (text: string) => call(routes.studioDryRun, { body: { text } }),
  /** Run a draft layer: the frame and the wall-clock time of the whole round trip. */
  async run(
    text: string,
    region: string,
    range: { from: string; to: string },
    token: string | null,
  ): Promise<{ frame: Frame; totalMs: number }> {
    const t0 = performance.now()
    const frame = await fetchFrame(pathOf(routes.studioRun), {}, token, {
      method: 'POST',
      body: JSON.stringify({ text, region, ...range }),
      headers: { 'Content-Type': 'application/json' },
    })
    return { frame, totalMs: performance.now() - t0 }
  },
}
