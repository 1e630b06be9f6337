// Forms API routes: list, get, count a view, submit data.
import { z } from 'zod'
import { validateSubmission } from './form-validation'
import type { SubmittedValues } from './form-validation'
import { isPlainObject, json, mediaType, notFound, readJson, requestError } from './http'
import { normalizePhone, personDataSchema } from './people'
import type { PersonPayload } from './people'
import type { SeedForm } from './seed'
import { upsertPerson } from './state'
import type { SandboxState } from './state'

const intParam = (fallback: number, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? fallback)

const listQuery = z.object({
  offset: intParam(0, 0, Number.MAX_SAFE_INTEGER),
  limit: intParam(25, 1, 100),
  // The parameter's enum in the spec: CSAT and WA_FLOW appear in answers only, and are refused here.
  formType: z.enum(['OPT_IN', 'OPT_OUT', 'FACEBOOK', 'LIVECHAT', 'APPLE']).optional(),
  formStatus: z.enum(['ACTIVE', 'DISABLED', 'DRAFT']).optional(),
})

const formNotFound = () => notFound('Form is not found')
const badRequest = (text = 'Bad request') => requestError(400, 'BAD_REQUEST', text)

export function listForms(state: SandboxState, url: URL): Response {
  const params = Object.fromEntries(
    ['offset', 'limit', 'formType', 'formStatus'].flatMap((k) => {
      const v = url.searchParams.get(k)
      return v === null ? [] : [[k, v]]
    }),
  )
  const query = listQuery.safeParse(params)
  if (!query.success) {
    return badRequest()
  }
  const { offset, limit, formType, formStatus } = query.data
  const matching = [...state.forms.values()].filter(
    (f) =>
      (formType === undefined || f.formType === formType) && (formStatus === undefined || f.formStatus === formStatus),
  )
  return json(200, { forms: matching.slice(offset, offset + limit), offset, limit, total: matching.length })
}

export function getForm(state: SandboxState, id: string): Response {
  const form = state.forms.get(id)
  return form ? json(200, form) : formNotFound()
}

export function countView(state: SandboxState, id: string): Response {
  if (!state.forms.has(id)) {
    return formNotFound()
  }
  state.views.set(id, (state.views.get(id) ?? 0) + 1)
  return json(200, { status: 'OK' })
}

async function readValues(request: Request): Promise<SubmittedValues | undefined> {
  const type = mediaType(request)
  if (type === 'application/json' || type.endsWith('+json')) {
    const body = await readJson(request)
    if (!body.ok) {
      return undefined
    }
    if (body.empty) {
      return {}
    }
    return isPlainObject(body.value) ? body.value : undefined
  }
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
    const values: SubmittedValues = {}
    for (const [key, entry] of await request.formData()) {
      const value = typeof entry === 'string' ? entry : entry.name
      const previous = values[key]
      // A repeated key is how a browser form posts a multi-select.
      values[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value]
    }
    return values
  }
  return (await request.text()).trim() === '' ? {} : undefined
}

const PERSON_ATTRIBUTES = new Set([
  'firstName',
  'lastName',
  'middleName',
  'address',
  'city',
  'country',
  'gender',
  'birthDate',
  'externalId',
  'preferredLanguage',
])

/** What a submission tells People, through each element's `personField`. */
function personFrom(form: SeedForm, values: SubmittedValues): PersonPayload | undefined {
  const data: Record<string, unknown> = {}
  const customAttributes: Record<string, unknown> = {}
  const email: { address: string }[] = []
  const phone: { number: string }[] = []
  for (const element of form.elements) {
    const value = element.fieldId === undefined ? undefined : values[element.fieldId]
    if (element.personField === undefined || value == null || value === '') {
      continue
    }
    if (element.personField === 'email' && typeof value === 'string') {
      email.push({ address: value })
    } else if (element.personField === 'phone') {
      phone.push({ number: normalizePhone(String(value).replace(/[\s().-]/g, '')) ?? String(value) })
    } else if (PERSON_ATTRIBUTES.has(element.personField)) {
      data[element.personField] = value
    } else {
      customAttributes[element.personField] = value
    }
  }
  if (email.length + phone.length === 0) {
    return undefined
  }
  const parsed = personDataSchema.safeParse({ ...data, customAttributes, contactInformation: { email, phone } })
  return parsed.success ? parsed.data : undefined
}

export async function submitForm(state: SandboxState, request: Request, id: string): Promise<Response> {
  const form = state.forms.get(id)
  if (!form) {
    return formNotFound()
  }
  if (form.formStatus !== 'ACTIVE') {
    return requestError(403, 'FORBIDDEN', 'Form is not submittable using the API')
  }
  const values = await readValues(request)
  if (values === undefined) {
    return badRequest()
  }
  const errors = validateSubmission(form, values, state.now())
  if (errors.length > 0) {
    return badRequest(errors.join(', '))
  }
  const submissions = state.submissions.get(id) ?? []
  submissions.push({
    formId: id,
    values,
    ...optionalHeader(request, 'ib-submission-source', 'source'),
    ...optionalHeader(request, 'ib-submission-form-campaign', 'campaign'),
    contentType: mediaType(request),
    receivedAt: state.now(),
  })
  state.submissions.set(id, submissions)
  const person = state.formsCreatePeople ? personFrom(form, values) : undefined
  if (person) {
    upsertPerson(state, person, 'FORMS')
  }
  return json(200, { status: 'OK' })
}

function optionalHeader<K extends string>(request: Request, header: string, key: K): Partial<Record<K, string>> {
  const value = request.headers.get(header)
  return value === null ? {} : ({ [key]: value } as Partial<Record<K, string>>)
}
