// Writes schema/budget.schema.json and the limits table of docs/ci.md from
// the limit table in src/check/limits.ts (through the build in dist/).
import { readFileSync, writeFileSync } from 'node:fs';
import { LIMITS_DOC_BEGIN, LIMITS_DOC_END, limitsMarkdown } from '../dist/check/doc.js';
import { budgetSchema } from '../dist/check/schema.js';

writeFileSync(new URL('../schema/budget.schema.json', import.meta.url), JSON.stringify(budgetSchema(), null, 2) + '\n');

const doc = new URL('../docs/ci.md', import.meta.url);
const text = readFileSync(doc, 'utf8');
const begin = text.indexOf(LIMITS_DOC_BEGIN);
const end = text.indexOf(LIMITS_DOC_END);
if (begin === -1 || end === -1) {
  console.error('docs/ci.md has no limits markers; add them where the table belongs');
  process.exit(2);
}
writeFileSync(doc, text.slice(0, begin) + limitsMarkdown() + text.slice(end + LIMITS_DOC_END.length));
