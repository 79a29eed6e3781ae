// Writes schema/budget.schema.json and the limits table of docs/ci.md from
// the limit table in src/check/limits.ts (through the build in dist/).
import { writeFileSync } from 'node:fs';
import { LIMITS_DOC_BEGIN, LIMITS_DOC_END, limitsMarkdown } from '../dist/check/doc.js';
import { budgetSchema } from '../dist/check/schema.js';
import { replaceGeneratedSection } from './generated-section.mjs';

writeFileSync(new URL('../schema/budget.schema.json', import.meta.url), JSON.stringify(budgetSchema(), null, 2) + '\n');

const doc = new URL('../docs/ci.md', import.meta.url);
if (!replaceGeneratedSection(doc, LIMITS_DOC_BEGIN, LIMITS_DOC_END, limitsMarkdown())) {
  console.error('docs/ci.md has no limits markers; add them where the table belongs');
  process.exit(2);
}
