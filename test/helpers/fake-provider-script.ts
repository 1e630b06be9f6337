import { type RecordingServer, startRecordingServer } from './recording-server'

/**
 * A loopback stand-in for a challenge provider's browser script (`/turnstile.js`, `/hcaptcha.js`):
 * `render()` draws a small "check" into the box the widget gives it and calls the widget's callback
 * with "good", the token test/helpers/fake-verifier.ts accepts. `reset()` hands out the next one.
 */
const SCRIPT = (name: string) => `
(function () {
  var widgets = {}
  window.${name} = {
    render: function (box, options) {
      var id = 'w' + (Object.keys(widgets).length + 1)
      var mark = document.createElement('span')
      mark.textContent = 'Verified (fake ${name})'
      box.appendChild(mark)
      widgets[id] = options
      setTimeout(function () { options.callback('good') }, 10)
      return id
    },
    reset: function (id) {
      var options = widgets[id]
      setTimeout(function () { options.callback('good') }, 10)
    },
    remove: function (id) { delete widgets[id] },
  }
})()
`

export function fakeProviderScript(): Promise<RecordingServer> {
  return startRecordingServer((request) => {
    const name = /^\/(turnstile|hcaptcha)\.js$/.exec(new URL(request.url).pathname)?.[1]
    return name
      ? new Response(SCRIPT(name), { headers: { 'content-type': 'text/javascript; charset=utf-8' } })
      : new Response('not found', { status: 404 })
  })
}
