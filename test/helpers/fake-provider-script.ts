import { type RecordingServer, startRecordingServer } from './recording-server'

/**
 * A loopback stand-in for a challenge provider's browser script (`/turnstile.js`, `/hcaptcha.js`):
 * `render()` draws a small "check" into the box the widget gives it and calls the widget's callback
 * with "good", the token test/helpers/fake-verifier.ts accepts. `reset()` hands out the next one.
 * `/recaptcha.js` is reCAPTCHA v3's: `grecaptcha.execute(siteKey, {action})` resolves to "good"
 * and records the action asked for in `window.__recaptchaActions`.
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

const RECAPTCHA = `
window.__recaptchaActions = []
window.grecaptcha = {
  ready: function (run) { setTimeout(run, 0) },
  execute: function (siteKey, options) {
    window.__recaptchaActions.push(siteKey + ':' + options.action)
    return Promise.resolve('good')
  },
}
`

export function fakeProviderScript(): Promise<RecordingServer> {
  return startRecordingServer((request) => {
    const name = /^\/(turnstile|hcaptcha|recaptcha)\.js$/.exec(new URL(request.url).pathname)?.[1]
    const headers = { 'content-type': 'text/javascript; charset=utf-8' }
    if (!name) {
      return new Response('not found', { status: 404 })
    }
    return new Response(name === 'recaptcha' ? RECAPTCHA : SCRIPT(name), { headers })
  })
}
