/**
 * How often a self-service terminal reports when nothing happens (the simulator's heartbeat, and the
 * interval the terminals of the seed cities are specified with), and how long a silence is tolerated
 * before the terminal counts as offline: three missed heartbeats (`IOC_TERMINAL_SILENCE_MINUTES`).
 */
export const TERMINAL_HEARTBEAT_MS = 5 * 60_000
export const DEFAULT_TERMINAL_SILENCE_MINUTES = (3 * TERMINAL_HEARTBEAT_MS) / 60_000
