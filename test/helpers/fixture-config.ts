import { SANDBOX_SEED } from '../../fakes/infobip/seed'

/** Campaigns of the sandbox's seeded flows, so tests can ask the fake who got enrolled where. */
export const MOMENTS_CAMPAIGN = SANDBOX_SEED.momentsCampaignId
export const LEGACY_CAMPAIGN = SANDBOX_SEED.legacyCampaignId

/** A shop that is not the fixture site: forms that allow only it must refuse the fixture's origin. */
export const OTHER_SHOP = 'https://other-shop.example.com'

/**
 * A proxy config for e2e tests against the fixture site (a second origin):
 * (`confirmation: "flow"` where a test reads the fake right after the answer.)
 * - `welcome`: the demo's form (email, first name, consent, German texts) → Moments flow;
 * - `newsletter`: a second form with its own flow (legacy), for two forms on one page;
 * - `every-field`: a field of every type the config allows → Moments flow;
 * - `utm`: hidden fields the widget fills from the page (UTM parameters, page URL);
 * - `elsewhere`: allowed only on another shop, for the 403 path.
 */
export function fixtureConfig(origins: string[]): unknown {
  return {
    forms: [
      {
        id: 'welcome',
        allowedOrigins: origins,
        fields: [
          { name: 'email', type: 'email', required: true, label: 'Email', placeholder: 'you@example.com' },
          { name: 'firstName', type: 'text', label: 'First name', maxLength: 255 },
          { name: 'consent', type: 'checkbox', required: true, label: 'I agree to receive emails' },
        ],
        flow: { api: 'moments', campaignId: MOMENTS_CAMPAIGN },
        // As in the demo: a second signup hears "already signed up".
        confirmation: 'flow',
        submitLabel: 'Sign up',
        // As in the demo config: the labels are English, German visitors get these.
        texts: {
          de: {
            submit: 'Anmelden',
            'field.email.label': 'E-Mail',
            'field.firstName.label': 'Vorname',
            'field.consent.label': 'Ich möchte E-Mails erhalten',
          },
        },
      },
      {
        id: 'newsletter',
        allowedOrigins: origins,
        fields: [
          { name: 'email', type: 'email', required: true, label: 'Newsletter email' },
          { name: 'lastName', type: 'text', label: 'Last name' },
        ],
        flow: { api: 'legacy', campaignId: LEGACY_CAMPAIGN },
        submitLabel: 'Subscribe',
      },
      {
        id: 'every-field',
        allowedOrigins: origins,
        fields: [
          { name: 'email', type: 'email', required: true, label: 'Email' },
          { name: 'phone', type: 'tel', label: 'Mobile phone' },
          { name: 'firstName', type: 'text', required: true, label: 'First name', maxLength: 40 },
          { name: 'note', type: 'textarea', label: 'Anything we should know?', maxLength: 500 },
          { name: 'cups', type: 'number', label: 'Cups a day', min: 0, max: 20 },
          { name: 'birthDate', type: 'date', label: 'Birthday' },
          {
            name: 'roast',
            type: 'select',
            required: true,
            label: 'Favourite roast',
            options: ['Light', 'Medium', 'Dark'],
          },
          {
            name: 'grind',
            type: 'radio',
            label: 'Grind',
            options: [
              { label: 'Whole beans', value: 'whole' },
              { label: 'Ground', value: 'ground' },
            ],
          },
          { name: 'consent', type: 'checkbox', required: true, label: 'I agree to receive emails' },
          { name: 'source', type: 'hidden', value: 'fixture-shop' },
        ],
        flow: { api: 'moments', campaignId: MOMENTS_CAMPAIGN },
        confirmation: 'flow',
        submitLabel: 'Join',
      },
      {
        id: 'utm',
        allowedOrigins: origins,
        fields: [
          { name: 'email', type: 'email', required: true, label: 'Email' },
          { name: 'firstName', type: 'text', label: 'First name' },
          { name: 'consent', type: 'checkbox', label: 'I agree to receive emails' },
          { name: 'utm_source', type: 'hidden' },
          { name: 'utm_campaign', type: 'hidden', value: 'none' },
          { name: 'page_url', type: 'hidden' },
        ],
        flow: { api: 'moments', campaignId: MOMENTS_CAMPAIGN },
        confirmation: 'flow',
      },
      {
        id: 'elsewhere',
        allowedOrigins: [OTHER_SHOP],
        fields: [{ name: 'email', type: 'email', required: true, label: 'Email' }],
        flow: { api: 'moments', campaignId: MOMENTS_CAMPAIGN },
      },
    ],
  }
}
