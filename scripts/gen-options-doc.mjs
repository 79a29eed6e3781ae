// Rewrites the generated options table in docs/configuration.md from the
// option table in src/config/options.ts (through the build in dist/).
import { readFileSync, writeFileSync } from 'node:fs';
import { DOC_BEGIN, DOC_END, optionsMarkdown } from '../dist/config/doc.js';

const path = new URL('../docs/configuration.md', import.meta.url);
const text = readFileSync(path, 'utf8');
const begin = text.indexOf(DOC_BEGIN);
const end = text.indexOf(DOC_END);
if (begin === -1 || end === -1) {
  console.error('docs/configuration.md has no options markers; add them where the table belongs');
  process.exit(2);
}
writeFileSync(path, text.slice(0, begin) + optionsMarkdown() + text.slice(end + DOC_END.length));
