import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/input/template.js';

describe('templates', () => {
  it.each([
    [
      'Summarize in {{lang}}: {{text}}',
      { lang: 'French', text: 'a <b> & "c"' },
      'Summarize in French: a <b> & "c"',
    ],
    ['{{n}} items', { n: 3 }, '3 items'],
    ['Data: {{obj}}', { obj: { a: [1, 2] } }, 'Data: {"a":[1,2]}'],
    ['{{user.name}} wrote', { user: { name: 'Ann' } }, 'Ann wrote'],
    ['{{#urgent}}URGENT: {{/urgent}}{{text}}', { urgent: '', text: 'x' }, 'x'],
  ])('renders %j without HTML escaping', (source, row, expected) => {
    expect(compileTemplate(source).render(row)).toBe(expected);
  });

  it('lists the variables and sections outside sections (a missing section column is caught too)', () => {
    expect(compileTemplate('{{a}} {{{b}}} {{&c}} {{#s}}{{inner}}{{/s}} {{a}}').variables).toEqual([
      'a',
      'b',
      'c',
      's',
    ]);
  });
});
