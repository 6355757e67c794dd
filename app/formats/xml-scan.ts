// A small XML scanner for untrusted header text (ISMRMRD headers): one left-to-right pass, every
// search starts where the previous one ended, so the time is linear in the input whatever it holds
// (no backtracking regular expressions: 0.8 MB of unclosed "<a" took 7.6 s with one). It builds a
// tree of elements with their text and ignores what it does not need: attributes, processing
// instructions, DOCTYPE, namespaces (prefixes are dropped). Malformed input never throws: the
// scan stops, and what was read so far is returned. Bounded in depth and element count.

export interface XmlElement {
  /** Local name (namespace prefix dropped). */
  name: string;
  children: XmlElement[];
  /** Direct text content (entities decoded), trimmed by the caller if needed. */
  text: string;
}

export const XML_MAX_DEPTH = 64;
export const XML_MAX_ELEMENTS = 200_000;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (m, e: string) => {
    if (e[0] !== '#') return ENTITIES[e] ?? m;
    const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c > 127;
}

/** Name of the tag text after '<' or '</' (up to whitespace, '/' or the end), or '' if invalid. */
function tagName(t: string, from: number): string {
  if (from >= t.length || !isNameStart(t.charCodeAt(from))) return '';
  let end = from;
  while (end < t.length) {
    const c = t.charCodeAt(end);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47 || c === 60) break;
    end++;
  }
  const full = t.slice(from, end);
  const colon = full.lastIndexOf(':');
  return colon >= 0 ? full.slice(colon + 1) : full;
}

/** Parse `xml` into a synthetic root element whose children are the top-level elements. */
export function scanXml(xml: string): XmlElement {
  const root: XmlElement = { name: '', children: [], text: '' };
  const stack: XmlElement[] = [root];
  const texts: string[][] = [[]];
  let count = 0;
  let i = 0;
  const n = xml.length;
  const addText = (from: number, to: number) => {
    if (to > from) texts[texts.length - 1]!.push(xml.slice(from, to));
  };
  const pop = () => {
    const el = stack.pop()!;
    el.text = decodeEntities(texts.pop()!.join(''));
  };
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      addText(i, n);
      break;
    }
    addText(i, lt);
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) break;
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) break;
      texts[texts.length - 1]!.push(xml.slice(lt + 9, end));
      i = end + 3;
      continue;
    }
    // every other construct ends at the next '>'; none after this point means no more tags
    const gt = xml.indexOf('>', lt + 1);
    if (gt < 0) break;
    i = gt + 1;
    const c1 = xml.charCodeAt(lt + 1);
    if (c1 === 63 /* ? */ || c1 === 33 /* ! */) continue; // <?xml …?>, <!DOCTYPE …>
    const tag = xml.slice(lt + 1, gt);
    if (c1 === 47 /* / */) {
      const name = tagName(tag, 1);
      if (!name) continue;
      // close the innermost open element of that name (and anything left open inside it)
      for (let d = stack.length - 1; d > 0; d--)
        if (stack[d]!.name === name) {
          while (stack.length > d) pop();
          break;
        }
      continue;
    }
    const name = tagName(tag, 0);
    if (!name) {
      addText(lt, gt + 1); // not a tag: keep it as text
      continue;
    }
    if (++count > XML_MAX_ELEMENTS || stack.length > XML_MAX_DEPTH) break;
    const el: XmlElement = { name, children: [], text: '' };
    stack[stack.length - 1]!.children.push(el);
    if (tag.endsWith('/')) continue; // <empty/>
    stack.push(el);
    texts.push([]);
  }
  while (stack.length > 0) pop();
  return root;
}

/** The first element named `name` below `el`, in document order (depth first). */
export function findFirst(el: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!el) return undefined;
  // iterative, so a deep tree cannot overflow the stack
  const todo: XmlElement[] = [...el.children].reverse();
  while (todo.length > 0) {
    const e = todo.pop()!;
    if (e.name === name) return e;
    for (let k = e.children.length - 1; k >= 0; k--) todo.push(e.children[k]!);
  }
  return undefined;
}
