import { z } from 'zod'
import { personal, personalFields, type PersonalFields } from '../personal.js'
import { LatSchema, LonSchema, PlaceShape, TimestampSchema, longText, requirePlace, shortText } from './common.js'

export const EVENT_STEPS = ['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'] as const
export const TICKET_STEPS = ['created', 'dispatched', 'accepted', 'replied', 'closed', 'reopened', 'rated'] as const
export const TERMINAL_STATUSES = ['online', 'offline', 'fault', 'maintenance'] as const
export const SATISFACTIONS = ['satisfied', 'basically', 'unsatisfied'] as const
export const CHANNELS = ['phone', 'web', 'app', 'wechat', 'sms', 'open311'] as const

export const EventStepSchema = z.enum(EVENT_STEPS)
export const TicketStepSchema = z.enum(TICKET_STEPS)
export const TerminalStatusValueSchema = z.enum(TERMINAL_STATUSES)
export const SatisfactionSchema = z.enum(SATISFACTIONS)

export type EventStep = z.infer<typeof EventStepSchema>
export type TicketStep = z.infer<typeof TicketStepSchema>
export type TerminalStatusValue = z.infer<typeof TerminalStatusValueSchema>
export type Satisfaction = z.infer<typeof SatisfactionSchema>

const IdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/, 'ids use letters, digits and . _ : -')

/** One step of a grid event's closed loop (接单 → 核单 → 派单 → 办单 → 交单 → 评单). */
export const GridEventSchema = z
  .object({
    event_id: IdSchema,
    step: EventStepSchema,
    ts: TimestampSchema,
    category: shortText(32).min(1),
    ...PlaceShape,
    source: shortText(32).optional(),
    department: shortText(32).optional(),
    priority: z.number().int().min(1).max(5).optional(),
    deadline: TimestampSchema.optional(),
    reporter: shortText(64).optional().meta(personal('text')),
    description: longText().optional().meta(personal('text')),
    evaluation: z.union([z.enum(['satisfied', 'basically', 'unsatisfied', 'rejected']), z.literal('')]).optional(),
  })
  .superRefine(requirePlace)

/** A self-service terminal's heartbeat or status change. */
export const TerminalStatusSchema = z
  .object({
    terminal_id: IdSchema,
    ts: TimestampSchema,
    status: TerminalStatusValueSchema,
    ...PlaceShape,
    site: shortText(128).optional(),
    fault_code: shortText(32).optional(),
    paper_pct: z.number().min(0).max(100).optional(),
    transactions: z.number().int().min(0).max(1_000_000).optional(),
  })
  .superRefine(requirePlace)

/** One step of a 12345 hotline ticket. */
export const HotlineTicketSchema = z
  .object({
    ticket_id: IdSchema,
    step: TicketStepSchema,
    ts: TimestampSchema,
    channel: shortText(16).optional(),
    category: shortText(32).min(1),
    urgency: z.number().int().min(1).max(5).optional(),
    ...PlaceShape,
    // Where a citizen called from, or asked about: their home, as often as not.
    lon: LonSchema.optional().meta(personal('position')),
    lat: LatSchema.optional().meta(personal('position')),
    address: shortText(256).optional().meta(personal('text')),
    department: shortText(32).optional(),
    satisfaction: SatisfactionSchema.optional(),
    deadline: TimestampSchema.optional(),
    description: longText().optional().meta(personal('text')),
  })
  .superRefine(requirePlace)

export type GridEvent = z.infer<typeof GridEventSchema>
export type GridEventInput = z.input<typeof GridEventSchema>
export type TerminalStatus = z.infer<typeof TerminalStatusSchema>
export type TerminalStatusInput = z.input<typeof TerminalStatusSchema>
export type HotlineTicket = z.infer<typeof HotlineTicketSchema>
export type HotlineTicketInput = z.input<typeof HotlineTicketSchema>

/** The three streams, named as in routes, tables and socket topics. */
export const STREAMS = {
  'grid-events': { schema: GridEventSchema, topic: 'events', idField: 'event_id' },
  'terminal-status': { schema: TerminalStatusSchema, topic: 'terminals', idField: 'terminal_id' },
  'hotline-tickets': { schema: HotlineTicketSchema, topic: 'tickets', idField: 'ticket_id' },
} as const
export type StreamName = keyof typeof STREAMS
export const STREAM_NAMES = Object.keys(STREAMS) as StreamName[]

/** Each stream's personal fields, as its schema declares them (core/personal.ts). */
export const PERSONAL_FIELDS = Object.fromEntries(
  STREAM_NAMES.map((s) => [s, personalFields(STREAMS[s].schema)]),
) as Record<StreamName, PersonalFields>

/** Codes added to every record by enrichment, and the WGS84 position it is stored at. */
export interface Enrichment {
  grid_code: string
  community: string
  street: string
  district: string
  lon: number
  lat: number
}
export type EnrichedGridEvent = GridEvent & Enrichment
export type EnrichedTerminalStatus = TerminalStatus & Enrichment
export type EnrichedHotlineTicket = HotlineTicket & Enrichment
export type EnrichedRecord = EnrichedGridEvent | EnrichedTerminalStatus | EnrichedHotlineTicket
