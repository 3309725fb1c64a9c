import { t } from '../i18n'
import type { RangeMode } from '../stores/time'

/** The message naming a range in titles ("{range} reported"): "today" only when today is on show. */
export function rangeKey(mode: RangeMode): `range.${RangeMode}` {
  return `range.${mode}`
}

/** The selected range in the screen's language, for the `{range}` of a title. */
export const rangeWord = (mode: RangeMode): string => t(rangeKey(mode))
