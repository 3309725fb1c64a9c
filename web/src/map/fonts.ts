/** The bundled CJK face (see main.ts); deck.gl draws its label atlas with it. */
export const LABEL_FONT_FAMILY = '"Noto Sans SC", sans-serif'
export const LABEL_FONT_WEIGHT = 700

/**
 * deck.gl rasterises glyphs into an atlas once; if the web font is not loaded by then it bakes in a
 * fallback face. Load the unicode-range slices that `text` needs before the layer sees the data.
 */
export async function ensureLabelFont(text: string): Promise<void> {
  if (!text || !('fonts' in document)) return
  try {
    await document.fonts.load(`${LABEL_FONT_WEIGHT} 32px "Noto Sans SC"`, text)
  } catch {
    /* fall back to whatever the browser has; labels still render */
  }
}
