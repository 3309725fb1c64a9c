import { onScopeDispose } from 'vue'

/** Calls `fn` every `ms` until the calling component (effect scope) goes away. */
export function usePolling(fn: () => void, ms: number): { stop: () => void } {
  const id = setInterval(fn, ms)
  const stop = () => clearInterval(id)
  onScopeDispose(stop)
  return { stop }
}
