import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC_BEGIN, DOC_END, optionsMarkdown } from '../../src/config/doc.js';
import { PROBE_OPTIONS } from '../../src/config/options.js';

describe('docs/configuration.md', () => {
  const text = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

  it('holds the options table exactly as generated from the option table (run npm run docs:options)', () => {
    const begin = text.indexOf(DOC_BEGIN);
    const end = text.indexOf(DOC_END) + DOC_END.length;
    expect(text.slice(begin, end)).toBe(optionsMarkdown());
  });

  it('names every environment variable of the probe', () => {
    for (const option of PROBE_OPTIONS) expect(text).toContain(`\`${option.env}\``);
  });
});

describe('docs/cli.md', () => {
  const text = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');

  it('names every flag of starve-probe run', () => {
    for (const option of PROBE_OPTIONS) {
      if (option.flag) expect(text).toContain(`--${option.flag}`);
    }
  });
});
