import { type RecordingServer, startRecordingServer } from './recording-server'

/** A loopback stand-in for the providers' siteverify: "good" passes (score 0.9), "low" scores 0.2. */
export async function fakeVerifier(): Promise<RecordingServer> {
  return startRecordingServer(async (request) => {
    const form = new URLSearchParams(await request.text())
    if (form.get('secret') !== 'provider-secret') {
      return Response.json({ success: false, 'error-codes': ['invalid-input-secret'] })
    }
    const response = form.get('response')
    if (response === 'broken') {
      return new Response('<html>oops</html>', { status: 500 })
    }
    return Response.json(
      response === 'good' || response === 'low'
        ? { success: true, score: response === 'good' ? 0.9 : 0.2, action: 'signup' }
        : { success: false, 'error-codes': ['invalid-input-response'] },
    )
  })
}
