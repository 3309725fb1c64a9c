/**
 * A reference answer the screen fetches once (the metric catalogue, the names of catalogue ids): the
 * first call asks, later calls share that answer; a failed ask is forgotten and tried again after
 * `retryMs`, as a wall must recover by itself while the screen shows its fallbacks meanwhile.
 */
export function loadOnce<T>(ask: () => Promise<T>, keep: (answer: T) => void, retryMs = 30_000): () => Promise<void> {
  let loading: Promise<void> | undefined
  return function load(): Promise<void> {
    loading ??= ask().then(keep, () => {
      loading = undefined
      setTimeout(() => void load(), retryMs)
    })
    return loading
  }
}
