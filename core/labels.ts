/** Chinese names of the closed loop's steps, ticket steps, terminal states and faults: shared by api and screen. */
export const EVENT_STEP_ZH: Record<string, string> = {
  reported: '接单',
  verified: '核单',
  dispatched: '派单',
  handled: '办单',
  submitted: '交单',
  evaluated: '评单',
}

export const TICKET_STEP_ZH: Record<string, string> = {
  created: '受理',
  dispatched: '派单',
  accepted: '签收',
  replied: '答复',
  closed: '办结',
  reopened: '重办',
  rated: '回访',
}

export const TERMINAL_STATUS_ZH: Record<string, string> = {
  online: '在线',
  offline: '离线',
  fault: '故障',
  maintenance: '维护',
}

export const FAULT_ZH: Record<string, string> = {
  printer: '打印机故障',
  card_reader: '读卡器故障',
  network: '网络中断',
  screen: '屏幕故障',
  paper_out: '缺纸',
}

export const zh = (map: Record<string, string>, key: string | undefined | null): string =>
  key ? (map[key] ?? key) : '—'
