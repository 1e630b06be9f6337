// The demo shop's own script (a page under a strict CSP cannot have inline ones): buttons that
// open a form through the public API, and a reset of the "not again for a week" memory.
document.addEventListener('click', (event) => {
  const button =
    event.target instanceof window.Element ? event.target.closest('[data-open-form], [data-reset-form]') : null
  if (!button) {
    return
  }
  const open = button.getAttribute('data-open-form')
  if (open) {
    window.Flowform?.open?.(open)
    return
  }
  try {
    window.localStorage.removeItem(`flowform:${button.getAttribute('data-reset-form')}`)
  } catch {
    // Storage blocked: there is nothing to forget.
  }
  window.location.reload()
})
