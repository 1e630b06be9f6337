import { FlowformError } from '../../common/errors'

/**
 * A form with an opt-in challenge got a submission without a solved one (`challenge_required`) or
 * with one the provider or the proof-of-work check refused (`challenge_failed`): 403, as for any
 * request that did not prove it may write. The widget shows the challenge again.
 */
export class ChallengeError extends FlowformError {
  override name = 'ChallengeError' as const
  readonly status = 403
  constructor(
    readonly code: 'challenge_required' | 'challenge_failed',
    message = code === 'challenge_required'
      ? 'Please complete the check that you are human.'
      : 'The check that you are human did not pass. Please try again.',
  ) {
    super(message)
  }
}

/**
 * The challenge provider could not be asked (network, timeout, an answer that is not its JSON):
 * nothing the person did, and no signup is let through unchecked. `detail` is for the log only.
 */
export class ChallengeUnavailableError extends FlowformError {
  override name = 'ChallengeUnavailableError' as const
  readonly status = 503
  readonly code = 'challenge_unavailable'
  constructor(
    readonly detail: string,
    message = 'We cannot check signups right now. Please try again in a few minutes.',
  ) {
    super(message)
  }
}
