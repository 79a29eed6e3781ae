// Rewrites the generated options table in docs/configuration.md from the
// option table in src/config/options.ts (through the build in dist/).
import { DOC_BEGIN, DOC_END, optionsMarkdown } from '../dist/config/doc.js';
import { replaceGeneratedSection } from './generated-section.mjs';

const doc = new URL('../docs/configuration.md', import.meta.url);
if (!replaceGeneratedSection(doc, DOC_BEGIN, DOC_END, optionsMarkdown())) {
  console.error('docs/configuration.md has no options markers; add them where the table belongs');
  process.exit(2);
}
