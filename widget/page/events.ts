import type { SubmissionStatus } from '../../contract/definition'

export interface EventDetail {
  status?: SubmissionStatus
  code?: string
}

export type EventType = 'view' | 'submit' | 'success' | 'error' | 'close'

export type Emit = (type: EventType, detail?: EventDetail) => void
