/**
 * The inline form's height, remembered per form and language, so that on the next page load its
 * box is reserved at exactly that size before the definition arrives and nothing under it moves
 * when it does. Blocked storage only means the usual reservation (styles/widget.css) applies.
 */

const heightKey = (formId: string, locale: string): string => `flowform:${formId}:height:${locale}`

/** Reserves the remembered height on `box` as `--ff-h`: CSSOM, which a strict CSP allows. */
export function reserveHeight(box: HTMLElement, formId: string, locale: string): void {
  try {
    const px = Number(localStorage.getItem(heightKey(formId, locale)))
    if (px > 0) {
      box.style.setProperty('--ff-h', `${px}px`)
    }
  } catch {
    // Storage blocked: nothing remembered.
  }
}

/**
 * Remembers the height `form` is drawn at, rounded up: a reservation must never be short. A form
 * can be drawn in stages (a label that wraps once a font arrives, say), so until the person starts
 * (the first focus in it) it is watched, and the tallest height seen is what is kept.
 */
export function rememberHeight(form: Element, formId: string, locale: string): void {
  let tallest = 0
  const save = (): void => {
    // Not drawn (a hidden tab of the shop's page, say): nothing worth remembering.
    const px = Math.ceil(form.getBoundingClientRect().height)
    try {
      if (px > tallest) {
        tallest = px
        localStorage.setItem(heightKey(formId, locale), String(px))
      }
    } catch {
      // Storage blocked: the next page load reserves the default again.
    }
  }
  save()
  const growth = new ResizeObserver(save)
  growth.observe(form)
  // Leaving the page before the observer reported the last growth (a busy machine, a quick
  // click away) must not leave a short height: measured once more as the page goes.
  const leaving = (): void => save()
  addEventListener('pagehide', leaving, { once: true })
  form.addEventListener(
    'focusin',
    () => {
      growth.disconnect()
      removeEventListener('pagehide', leaving)
    },
    { once: true },
  )
}
