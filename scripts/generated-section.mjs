// Replaces the generated part of a document, between its begin and end
// markers (the markers are part of `content`). The docs generators and the
// benchmark share it; returns false when the markers are missing, so the
// caller can say which file and what to add.
import { readFileSync, writeFileSync } from 'node:fs';

export function replaceGeneratedSection(file, begin, end, content) {
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) return false;
  writeFileSync(file, text.slice(0, from) + content + text.slice(to + end.length));
  return true;
}
