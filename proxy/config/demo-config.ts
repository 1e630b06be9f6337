/**
 * The config used when no file is given: the demo shop's forms, wired to the sandbox's seeded
 * flows, form, RapidPro groups and fields (see fakes/).
 */
export function demoConfig(origins: string[]): unknown {
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
        flow: { api: 'moments', campaignId: '200000000000001' },
        // The sandbox's RapidPro fake has these (fakes/rapidpro/state.ts).
        rapidpro: { groups: ['Newsletter'], language: 'eng' },
        submitLabel: 'Sign up',
        tags: ['Newsletter'],
        // The demo waits for the flow so a second signup hears "already signed up" (README).
        confirmation: 'flow',
        // Shown by the popup and slide-in demos above the form (inline forms sit in the shop's own copy).
        display: {
          headline: '10 % off your first order',
          text: 'Join the Coffee Club: your code arrives with our brewing guide, and fresh roasts reach you first.',
          image: { src: '/demo/offer.svg', alt: 'A cup of coffee beside a bag of beans', width: 480, height: 200 },
          teaser: '10 % off',
        },
        // The labels above are English; the German demo page (demo/de.html) gets these instead.
        texts: {
          de: {
            submit: 'Anmelden',
            'field.email.label': 'E-Mail',
            'field.email.placeholder': 'sie@beispiel.de',
            'field.firstName.label': 'Vorname',
            'field.consent.label': 'Ich möchte E-Mails erhalten',
            'display.headline': '10 % Rabatt auf Ihre erste Bestellung',
            'display.text':
              'Werden Sie Mitglied im Coffee Club: Ihr Code kommt mit unserer Brühanleitung, frische Röstungen erreichen Sie zuerst.',
            'display.teaser': '10 % Rabatt',
          },
        },
      },
      {
        id: 'welcome-legacy',
        allowedOrigins: origins,
        fields: [
          { name: 'email', type: 'email', required: true, label: 'Email' },
          { name: 'firstName', type: 'text', label: 'First name' },
          { name: 'phone', type: 'tel', label: 'Mobile phone' },
        ],
        flow: { api: 'legacy', campaignId: '10159347' },
        confirmation: 'flow',
      },
      {
        id: 'newsletter',
        allowedOrigins: origins,
        infobipFormId: 'f7cf1606-e155-40eb-9721-78183d268d24',
        flow: { api: 'moments', campaignId: '200000000000001' },
        confirmation: 'flow',
      },
    ],
  }
}
