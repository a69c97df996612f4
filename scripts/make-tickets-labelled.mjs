#!/usr/bin/env node
/**
 * Writes fixtures/tickets-labelled.csv: 300 support tickets with `label`, the expected category
 * from jobs/ticket-triage.schema.json's enum, for scoring and `compare`. Deterministic (a seeded
 * generator, no Date or Math.random), so running it again writes the same bytes:
 *
 *   node scripts/make-tickets-labelled.mjs
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tickets-labelled.csv');

/** mulberry32: a tiny seeded generator, so the file is the same on every machine. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20261206);
const pick = (list) => list[Math.floor(random() * list.length)];

const THINGS = [
  'invoice',
  'dashboard',
  'mobile app',
  'desktop app',
  'API',
  'SSO login',
  'weekly report',
  'export',
];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
];
const CATEGORIES = {
  billing: [
    () => `I was charged twice for my ${pick(MONTHS)} invoice. Please refund the duplicate charge.`,
    () =>
      `Our invoice shows ${2 + Math.floor(random() * 40)} seats but we only have ${1 + Math.floor(random() * 10)} users. Can you correct it?`,
    () => `The VAT number is missing from the ${pick(MONTHS)} invoice, finance cannot book it.`,
    () =>
      `My card was declined at renewal although it is valid until ${2027 + Math.floor(random() * 4)}. Please retry the payment.`,
    () =>
      'We were billed for the annual plan but asked for monthly billing. Please switch and refund the difference.',
  ],
  bug: [
    () => `The ${pick(THINGS)} crashes every time I open the reports tab.`,
    () => `Since the last update the ${pick(THINGS)} shows a blank page after login.`,
    () => `The CSV export cuts off after ${100 * (1 + Math.floor(random() * 50))} rows.`,
    () => `Clicking save in the ${pick(THINGS)} does nothing, no error either.`,
    () =>
      `The API returns HTTP 500 for GET /v2/orders with a page size above ${[50, 100, 200][Math.floor(random() * 3)]}.`,
  ],
  account: [
    () => 'Please change the account owner to my colleague, I am leaving the company.',
    () => `I cannot reset my password, the email never arrives (checked spam, ${pick(MONTHS)}).`,
    () => 'How do I merge two accounts that were created with different emails?',
    () => 'Please update the company name on our account after the rebrand.',
    () =>
      `Our admin left and nobody can add users any more. We have ${3 + Math.floor(random() * 80)} people waiting.`,
  ],
  feature_request: [
    () => `It would be great to schedule the ${pick(THINGS)} export every Monday.`,
    () => 'Please add dark mode to the desktop app, our night shift would love it.',
    () => 'Could the dashboard show costs per team instead of only per project?',
    () => `Please support webhooks for ${pick(['new invoices', 'failed exports', 'user sign-ups'])}.`,
    () => 'We would like to filter reports by custom tags. Is that planned?',
  ],
  security: [
    () => 'We received a phishing email that looks like it came from your billing team.',
    () => `Someone logged into our account from an unknown country on ${pick(MONTHS)} 3rd. Please lock it.`,
    () => 'Your API key was visible in a public error page. Please rotate it and investigate.',
    () => 'I think an ex-employee still has access through SSO. Please audit the sessions.',
    () => 'Is there a way to enforce two-factor authentication for every user? We had an incident.',
  ],
  cancellation: [
    () => 'Please cancel our subscription at the end of the current term.',
    () => `We are moving to another tool and want to close the account by ${pick(MONTHS)} 30.`,
    () => 'Cancel my plan and delete all our data, please confirm in writing.',
    () => 'We no longer need the team plan. How do we downgrade or cancel?',
    () => 'Stop the automatic renewal, we decided not to continue.',
  ],
  question: [
    () => `Where can I find the ${pick(THINGS)} settings?`,
    () => 'Does the API have a rate limit, and how high is it?',
    () => `Can I use the ${pick(THINGS)} offline?`,
    () => 'Which regions do you store data in?',
    () => 'Is there a student discount?',
  ],
  praise: [
    () => `Just wanted to say the new ${pick(THINGS)} is fantastic, thank you!`,
    () => 'Your support agent solved my problem in five minutes. Great job.',
    () => 'The latest release made our weekly reporting twice as fast. Kudos to the team.',
    () => `We have used you for ${2 + Math.floor(random() * 8)} years and it keeps getting better.`,
    () => 'Love the redesign of the dashboard, very clean.',
  ],
};
const NAMES = [
  'Acme Corp',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Stark Ltd',
  'Wayne GmbH',
  'Tyrell SA',
  'Soylent',
  'Vandelay',
];
const CHANNELS = ['email', 'chat', 'web form', 'phone note'];
const OPENERS = ['', '', 'Hi, ', 'Hello team, ', 'Urgent: ', 'Good morning. '];
const CLOSERS = ['', '', ' Thanks.', ' Regards', ' Thank you in advance!', ' Please advise.'];

const csv = (value) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const labels = Object.keys(CATEGORIES);
const lines = ['ticket_id,channel,customer,body,label'];
for (let i = 0; i < 300; i++) {
  const label = labels[i % labels.length]; // even classes (37 or 38 each), order shuffled by text
  const opener = pick(OPENERS);
  const text = pick(CATEGORIES[label])();
  // After "Hi, " the sentence goes on in lower case (but "I" and "API" stay as they are).
  const first = opener.endsWith(', ') && !/^(I |API|SSO)/.test(text) ? text[0].toLowerCase() : text[0];
  const body = `${opener}${first}${text.slice(1)}${pick(CLOSERS)}`;
  lines.push([`L-${2001 + i}`, pick(CHANNELS), pick(NAMES), body, label].map(csv).join(','));
}
writeFileSync(OUT, `${lines.join('\n')}\n`);
