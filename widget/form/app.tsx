import type { JSX } from 'preact'
import { Component } from 'preact'
import type { LoadResult } from '../api'
import { loadForm } from '../api'
import type { PublicField } from '../definition'
import type { Translate } from '../texts'
import { createTranslate } from '../texts'
import { SignupForm } from './signup-form'
import { supportedFields } from './supported-fields'

export interface AppProps {
  endpoint: string
  formId: string
}

interface AppState {
  loaded?: LoadResult
  fields?: PublicField[]
  t: Translate
}

/** Loads the form's definition, then draws it; a missing or unreachable form gets a calm alert. */
export class App extends Component<AppProps, AppState> {
  // Declared and set in the constructor, not a class field: see SignupForm.
  private declare controller: AbortController

  constructor(props: AppProps) {
    super(props)
    this.state = { t: createTranslate() }
    this.controller = new AbortController()
  }

  override componentDidMount(): void {
    const { endpoint, formId } = this.props
    const { signal } = this.controller
    void loadForm(endpoint, formId, signal).then((loaded) => {
      if (signal.aborted) {
        return
      }
      if (loaded.kind === 'ready') {
        const { fields, texts } = loaded.form
        this.setState({ loaded, fields: supportedFields(fields), t: createTranslate(texts) })
        return
      }
      if (loaded.kind === 'missing') {
        // The shop's visitors see a calm message; whoever embedded the form needs the reason.
        console.error(`[flowform] form "${formId}" was not found at ${endpoint}`)
      }
      this.setState({ loaded })
    })
  }

  override componentWillUnmount(): void {
    this.controller.abort()
  }

  override render({ endpoint, formId }: AppProps, { loaded, fields, t }: AppState): JSX.Element {
    if (!loaded) {
      return <div class="loading" part="loading" aria-busy="true" />
    }
    if (loaded.kind !== 'ready') {
      return (
        <div role="alert" part="alert" class="alert">
          {t(loaded.kind === 'missing' ? 'load.missing' : 'load.failed')}
        </div>
      )
    }
    return <SignupForm form={loaded.form} fields={fields ?? []} formId={formId} endpoint={endpoint} t={t} />
  }
}
