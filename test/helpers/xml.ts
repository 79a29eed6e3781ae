/**
 * A small, strict XML 1.0 reader for the tests: it accepts a prolog,
 * elements, attributes, text, comments and the five entities plus numeric
 * references, and throws on anything malformed (an unescaped < or &, a
 * mismatched tag, a duplicate attribute, a character XML forbids). Enough
 * to prove the JUnit output parses, without a dependency.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export function parseXml(source: string): XmlElement {
  if (FORBIDDEN.test(source)) throw new Error('a character XML 1.0 does not allow');
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i}: ${JSON.stringify(source.slice(i, i + 30))}`);
  };
  const skipSpace = (): void => {
    while (i < source.length && /\s/.test(source[i] as string)) i++;
  };
  const decode = (raw: string): string => {
    if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) fail('an unescaped < or & in text');
    return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_m, ref: string) => {
      if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
      return ENTITIES[ref] as string;
    });
  };
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i);
        if (end === -1) fail('an unclosed comment');
        i = end + 3;
      } else if (source.startsWith('<?', i)) {
        const end = source.indexOf('?>', i);
        if (end === -1) fail('an unclosed declaration');
        i = end + 2;
      } else {
        return;
      }
    }
  };

  const element = (): XmlElement => {
    if (source[i] !== '<') fail('expected <');
    i++;
    const name = NAME.exec(source.slice(i))?.[0] ?? fail('expected a tag name');
    i += name.length;
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = i;
      skipSpace();
      if (source.startsWith('/>', i)) {
        i += 2;
        return { name, attributes, children: [], text: '' };
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('expected space before an attribute');
      const attr = NAME.exec(source.slice(i))?.[0] ?? fail('expected an attribute name');
      i += attr.length;
      if (source[i] !== '=') fail('expected =');
      i++;
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail('expected a quoted attribute value');
      const end = source.indexOf(quote as string, i + 1);
      if (end === -1) fail('an unclosed attribute value');
      if (attr in attributes) fail(`a duplicate attribute ${attr}`);
      attributes[attr] = decode(source.slice(i + 1, end));
      i = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (i >= source.length) fail(`an unclosed <${name}>`);
      if (source.startsWith('</', i)) {
        i += 2;
        if (!source.startsWith(name, i)) fail(`a mismatched closing tag for <${name}>`);
        i += name.length;
        skipSpace();
        if (source[i] !== '>') fail('expected >');
        i++;
        return { name, attributes, children, text };
      }
      if (source.startsWith('<!--', i)) {
        skipMisc();
        continue;
      }
      if (source[i] === '<') {
        children.push(element());
        continue;
      }
      const next = source.indexOf('<', i);
      const end = next === -1 ? source.length : next;
      text += decode(source.slice(i, end));
      i = end;
    }
  };

  skipMisc();
  const root = element();
  skipMisc();
  if (i !== source.length) fail('content after the root element');
  return root;
}

/** Every element named `name` under `root`, depth first. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (e.name === name) found.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return found;
}
