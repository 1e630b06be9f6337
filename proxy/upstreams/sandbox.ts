// What the proxy needs of an in-process upstream fake in sandbox mode, declared here so that
// production code never imports the fakes (fakes/, outside production): they implement these
// interfaces, and the from-env modules load them with a dynamic import() only when no
// credentials are set.

/** An in-process upstream: a web-standard fetch handler the clients call instead of the network. */
export interface SandboxUpstream {
  fetch(request: Request): Promise<Response>
}

/** Settings of the in-process Infobip that the server passes on (tests, benchmark). */
export interface SandboxInfobipOptions {
  /** More than this many requests per account within a rolling second answer 429. */
  rateLimitPerSecond?: number
  /** How long Moments report entries stay PENDING; default 0. */
  reportDelayMs?: number
  /** Delivers a Moments report to `notifyUrl`; default: POST with global fetch. Failures are swallowed. */
  notify?: (url: string, body: unknown) => Promise<void>
  /** People custom attributes that exist; when set, Moments rejects others with REJECTED_ATTRIBUTE_MISSED. */
  knownCustomAttributes?: string[]
}

/** Settings of the in-process RapidPro that the server passes on (tests). */
export interface SandboxRapidproOptions {
  /** The workspace's contact fields; default: "Consent". */
  fields?: { name: string }[]
}
