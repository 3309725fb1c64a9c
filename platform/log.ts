import pino from 'pino'

/** One structured logger for every process; LOG_LEVEL=debug for more. */
export const log = pino({ level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'warn' : 'info'), base: undefined })
