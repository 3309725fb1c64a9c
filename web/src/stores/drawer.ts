import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { RecordKind } from '../api'

/** The record shown in the detail drawer, if any. */
export const useDrawerStore = defineStore('drawer', () => {
  const open = ref<{ kind: RecordKind; id: string } | null>(null)
  const show = (kind: RecordKind, id: string) => (open.value = { kind, id })
  const close = () => (open.value = null)
  return { open, show, close }
})
