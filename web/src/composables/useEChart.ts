import { onBeforeUnmount, onMounted, shallowRef, watch, type Ref } from 'vue'
import { init, type EChartsOption, type EChartsType } from '../charts/echarts'

/**
 * One ECharts instance bound to `el`: created on mount, updated when `option` changes, resized
 * with its box, disposed on unmount.
 */
export function useEChart(el: Ref<HTMLElement | null>, option: Ref<EChartsOption | null>) {
  const chart = shallowRef<EChartsType | null>(null)
  let ro: ResizeObserver | null = null

  function apply(): void {
    if (chart.value && option.value) chart.value.setOption(option.value, { notMerge: false, lazyUpdate: true })
  }

  onMounted(() => {
    if (!el.value) return
    chart.value = init(el.value, undefined, { renderer: 'svg' })
    apply()
    ro = new ResizeObserver(() => chart.value?.resize())
    ro.observe(el.value)
  })

  watch(option, apply)

  onBeforeUnmount(() => {
    ro?.disconnect()
    chart.value?.dispose()
    chart.value = null
  })

  return chart
}
